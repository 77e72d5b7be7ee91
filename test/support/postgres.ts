// Test-side access to the run's PostgreSQL server (started by global-setup.ts): a database per suite.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';
import type { PostgresStatus } from './postgres-server.js';

/** The admin URL of the run's server, or why there is none. */
export function postgresAvailable(): PostgresStatus {
  const status = inject('postgres') as PostgresStatus | undefined;
  return status ?? { ok: false, reason: 'test/support/global-setup.ts did not run (is it in vitest.config.ts?)' };
}

/** Creates an empty, uniquely named database on the run's server and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const status = postgresAvailable();
  if (!status.ok) throw new Error(`PostgreSQL is unavailable: ${status.reason}`);
  const name = `latchkey_${randomUUID().replaceAll('-', '')}`; // 41 chars, under the 63-byte identifier limit
  const admin = new pg.Client({ connectionString: status.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(status.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `describe` when the server is up; otherwise a visibly skipped suite that says why. */
export function describePostgres(name: string, fn: () => void): void {
  const status = postgresAvailable();
  if (status.ok) {
    describe(name, fn);
    return;
  }
  console.warn(`[postgres] skipping "${name}": ${status.reason}`);
  describe.skip(`${name} [skipped: ${status.reason}]`, fn);
}
