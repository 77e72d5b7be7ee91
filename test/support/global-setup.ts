// vitest globalSetup: one PostgreSQL server for the whole run, handed to test files via provide/inject.
import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, missingPostgresReason, startPostgres, type PostgresStatus } from './postgres-server.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // In CI every suite must run: a PostgreSQL we cannot start is a failure, not a skip.
  const requireAll = process.env['LATCHKEY_REQUIRE_ALL'] === '1';
  const provide = (status: PostgresStatus) => project.provide('postgres', status);

  const binDir = findPostgresBinDir();
  if (binDir === undefined) {
    const reason = missingPostgresReason() ?? 'PostgreSQL binaries not found';
    if (requireAll) throw new Error(`LATCHKEY_REQUIRE_ALL=1 but PostgreSQL is unavailable: ${reason}`);
    provide({ ok: false, reason });
    return async () => undefined;
  }

  try {
    const server = await startPostgres(binDir);
    if (process.env['LATCHKEY_PG_VERBOSE'] === '1') {
      console.log(`[postgres] ${server.adminUrl} from ${binDir}, started in ${server.startupMs} ms`);
    }
    provide({ ok: true, adminUrl: server.adminUrl });
    return () => server.stop();
  } catch (error) {
    if (requireAll) {
      throw new Error(`LATCHKEY_REQUIRE_ALL=1 but PostgreSQL failed to start: ${(error as Error).message}`, { cause: error });
    }
    const reason = `PostgreSQL failed to start: ${(error as Error).message.split('\n')[0] ?? ''}`;
    console.warn(`[postgres] ${(error as Error).message}`);
    provide({ ok: false, reason });
    return async () => undefined;
  }
}
