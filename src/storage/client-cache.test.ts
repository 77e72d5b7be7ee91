// Issue #10 §2: the per-process client cache. Changes made in this process are seen at once; changes made by another
// process (here a second handle on the same SQLite file) are seen within the TTL, and never later.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from './open-storage.js';
import { aClient } from './test-support/clients-contract.js';
import { createClientCache } from './client-cache.js';

describe('Issue #10 §2: the client cache', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('counts: a cached find makes no query; unknown client_ids are not remembered', async () => {
    let now = 0;
    const cache = createClientCache({ ttlMs: 1000, now: () => now });
    let loads = 0;
    const client = aClient();
    const load = async (): Promise<typeof client> => {
      loads++;
      return client;
    };
    expect(await cache.find('client-a', load)).toBe(client);
    expect(await cache.find('client-a', load)).toBe(client);
    expect(loads).toBe(1);
    now = 1000;
    await cache.find('client-a', load);
    expect(loads).toBe(2);
    let misses = 0;
    for (let i = 0; i < 3; i++) await cache.find('nobody', async () => (misses++, undefined));
    expect(misses).toBe(3);
  });

  it('a change through this process is seen at once; a change by another process within the TTL, not before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-client-cache-'));
    const url = `sqlite:${join(dir, 'db.sqlite')}`;
    const other = await openStorage(url); // another process: no cache
    cleanups.push(async () => {
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const cached = await openStorage(url, { clientCacheTtlMs: 1000 }); // this process: the server's cache
    cleanups.push(() => cached.close());

    await other.clients.create(aClient({ secretHash: 'old' }));
    expect((await cached.clients.find('client-a'))?.secretHash).toBe('old');
    await other.clients.update(aClient({ secretHash: 'rotated' }));
    expect((await cached.clients.find('client-a'))?.secretHash).toBe('old'); // within the TTL: the stale record
    await cached.clients.update(aClient({ secretHash: 'here' }));
    expect((await cached.clients.find('client-a'))?.secretHash).toBe('here'); // changed here: at once
    await other.clients.delete('client-a');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await cached.clients.find('client-a')).toBeUndefined(); // one TTL later the deletion is seen
    await cached.transaction(async (tx) => {
      await tx.clients.create(aClient({ secretHash: 'in-tx' }));
    });
    expect((await cached.clients.find('client-a'))?.secretHash).toBe('in-tx'); // a change in a transaction: at once
  });
});
