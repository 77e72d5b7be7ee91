// The storages a storage micro-benchmark measures in turn: a fresh SQLite file (WAL), optionally `:memory:`, and a
// throwaway PostgreSQL from the machine's initdb/pg_ctl (skipped, with a line saying so, where there is none).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { findPostgresBinDir, startPostgres } from '../../test/support/postgres-server.js';

export async function forEachStorage(run: (name: string, storage: Storage) => Promise<void>, options: { memory?: boolean } = {}): Promise<void> {
  const measured = async (name: string, url: string, open: Parameters<typeof openStorage>[1] = {}): Promise<void> => {
    const storage = await openStorage(url, open);
    try {
      await run(name, storage);
    } finally {
      await storage.close();
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  try {
    if (options.memory === true) await measured('sqlite :memory:', 'sqlite::memory:');
    await measured('sqlite file (WAL)', `sqlite:${join(dir, 'bench.db')}`);
    const binDir = findPostgresBinDir();
    if (binDir === undefined) {
      console.log('postgres: no initdb/pg_ctl found, skipped');
      return;
    }
    const server = await startPostgres(binDir);
    try {
      await measured('postgres (pool 10)', server.adminUrl, { poolSize: 10 });
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
