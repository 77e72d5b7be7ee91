import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { openStorage, StorageUnavailableError } from '../open-storage.js';
import { storageContract } from '../storage-contract.js';

const folder = mkdtempSync(join(tmpdir(), 'latchkey-sqlite-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let databases = 0;
const freshFileUrl = (): string => `sqlite:${join(folder, `db-${++databases}`, 'latchkey.db')}`; // the folder is created on open

storageContract('sqlite', () => openStorage(freshFileUrl()));
storageContract('sqlite (in memory)', () => openStorage('sqlite::memory:'));

describe('Issue #2 §4: the SQLite adapter', () => {
  it('applies every numbered migration in order, once (latchkey migrate)', async () => {
    const storage = await openStorage(freshFileUrl(), { migrate: false });
    try {
      expect(await storage.migrate()).toEqual(Object.keys(migrations).sort());
      expect(await storage.migrate()).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('shares single-use markers between two handles on one file (two processes on one database)', async () => {
    const url = freshFileUrl();
    const first = await openStorage(url);
    const second = await openStorage(url);
    try {
      const results = await Promise.all([first, second, first, second].map((storage) => storage.replay.use('shared', Date.now() + 60_000)));
      expect(results.filter((won) => won)).toHaveLength(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('reports a database it cannot open as one StorageUnavailableError line', async () => {
    const notAFolder = join(folder, 'not-a-folder');
    writeFileSync(notAFolder, '');
    const url = `sqlite:${join(notAFolder, 'latchkey.db')}`;
    const error: unknown = await openStorage(url).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toMatch(/^cannot open sqlite:.*not-a-folder\/latchkey\.db: [^\n]+$/);
  });
});
