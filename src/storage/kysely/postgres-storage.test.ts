import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, describePostgres } from '../../../test/support/postgres.js';
import { migrations } from '../migrations/index.js';
import { openStorage, StorageUnavailableError } from '../open-storage.js';
import { storageContract } from '../storage-contract.js';

describePostgres('PostgreSQL adapter', () => {
  storageContract('postgres', async () => openStorage(await createPostgresDatabase(), { poolSize: 10 }));

  describe('Issue #2 §4: the PostgreSQL adapter', () => {
    it('applies every numbered migration in order, once (latchkey migrate)', async () => {
      const storage = await openStorage(await createPostgresDatabase(), { migrate: false });
      try {
        expect(await storage.migrate()).toEqual(Object.keys(migrations).sort());
        expect(await storage.migrate()).toEqual([]);
      } finally {
        await storage.close();
      }
    });

    it('shares single-use markers between two pools on one database (two server processes)', async () => {
      const url = await createPostgresDatabase();
      const first = await openStorage(url);
      const second = await openStorage(url);
      try {
        const racers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second));
        const results = await Promise.all(racers.map((storage) => storage.replay.use('shared', Date.now() + 60_000)));
        expect(results.filter((won) => won)).toHaveLength(1);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });
  });
});

describe('Issue #2 §3: an unreachable PostgreSQL is one clear line', () => {
  it('rejects with a StorageUnavailableError naming the database, its password hidden', async () => {
    const port = await closedPort();
    const error: unknown = await openStorage(`postgres://latchkey:hunter2@127.0.0.1:${port}/latchkey`).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toBe(`cannot reach the database at postgres://latchkey:***@127.0.0.1:${port}/latchkey: ECONNREFUSED`);
  });
});

/** A port nothing listens on: bound by us a moment ago, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
