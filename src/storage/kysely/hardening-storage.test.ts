// Issue 9 storage: rate-limit counters (one atomic upsert per hit) and the audit log, on SQLite and PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, describePostgres } from '../../../test/support/postgres.js';
import { openStorage } from '../open-storage.js';
import type { Storage } from '../storage.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function hardeningContract(name: string, open: () => Promise<{ storage: Storage; second?: Storage }>): void {
  describe(`${name}: rate-limit counters and audit log`, () => {
    const opened: Storage[] = [];
    const use = async (): Promise<{ storage: Storage; second?: Storage }> => {
      const result = await open();
      opened.push(result.storage, ...(result.second === undefined ? [] : [result.second]));
      return result;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });

    it('hit() counts within a window, carries the count into the previous window, and resets after a gap', async () => {
      const { storage } = await use();
      expect(await storage.rateLimits.hit('k', T0, MINUTE)).toEqual({ count: 1, previousCount: 0 });
      expect(await storage.rateLimits.hit('k', T0, MINUTE)).toEqual({ count: 2, previousCount: 0 });
      expect(await storage.rateLimits.hit('k', T0 + MINUTE, MINUTE)).toEqual({ count: 1, previousCount: 2 });
      expect(await storage.rateLimits.hit('k', T0 + 3 * MINUTE, MINUTE)).toEqual({ count: 1, previousCount: 0 });
      // A process whose clock lags counts into the newer window rather than resetting it.
      expect(await storage.rateLimits.hit('k', T0 + 2 * MINUTE, MINUTE)).toEqual({ count: 2, previousCount: 0 });
      expect(await storage.rateLimits.hit('other', T0, MINUTE)).toEqual({ count: 1, previousCount: 0 });
    });

    it('Issue #10 §2: hit() with a count adds that many at once (a process flushing its in-memory hits)', async () => {
      const { storage } = await use();
      expect(await storage.rateLimits.hit('k', T0, MINUTE, 5)).toEqual({ count: 5, previousCount: 0 });
      expect(await storage.rateLimits.hit('k', T0, MINUTE, 3)).toEqual({ count: 8, previousCount: 0 });
      expect(await storage.rateLimits.hit('k', T0 + MINUTE, MINUTE, 2)).toEqual({ count: 2, previousCount: 8 });
    });

    it('hit() loses no concurrent hit, from one pool or two sharing the database', async () => {
      const { storage, second } = await use();
      const racers = Array.from({ length: 40 }, (_, i) => (second !== undefined && i % 2 === 1 ? second : storage));
      const results = await Promise.all(racers.map((s) => s.rateLimits.hit('race', T0, MINUTE)));
      expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('deleteExpired() removes counters whose window started before the cut-off, in batches', async () => {
      const { storage } = await use();
      for (let i = 0; i < 5; i++) await storage.rateLimits.hit(`old${i}`, T0, MINUTE);
      await storage.rateLimits.hit('new', T0 + 10 * MINUTE, MINUTE);
      expect(await storage.rateLimits.deleteExpired(T0 + MINUTE, 3)).toBe(3);
      expect(await storage.rateLimits.deleteExpired(T0 + MINUTE, 3)).toBe(2);
      expect(await storage.rateLimits.deleteExpired(T0 + MINUTE, 3)).toBe(0);
      expect(await storage.rateLimits.hit('new', T0 + 10 * MINUTE, MINUTE)).toEqual({ count: 2, previousCount: 0 });
    });

    it('the audit log stores events and lists them newest first, filtered by time, type and client', async () => {
      const { storage } = await use();
      const event = (id: string, at: number, type: string, clientId?: string): Parameters<Storage['audit']['record']>[0] => ({
        id, at, type, actor: 'admin-api', ...(clientId !== undefined && { clientId }), ip: '127.0.0.1', userAgent: 'test', details: { n: at, ok: true, s: 'x' },
      });
      await storage.audit.record(event('a', T0, 'client.created', 'c1'));
      await storage.audit.record(event('b', T0 + 1, 'client.updated', 'c1'));
      await storage.audit.record(event('c', T0 + 2, 'client.created', 'c2'));
      expect((await storage.audit.list({})).map((e) => e.id)).toEqual(['c', 'b', 'a']);
      expect((await storage.audit.list({ type: 'client.created' })).map((e) => e.id)).toEqual(['c', 'a']);
      expect((await storage.audit.list({ clientId: 'c1', since: T0 + 1 })).map((e) => e.id)).toEqual(['b']);
      expect((await storage.audit.list({ limit: 1 }))[0]).toEqual(event('c', T0 + 2, 'client.created', 'c2'));
    });
  });
}

hardeningContract('sqlite (memory)', async () => ({ storage: await openStorage('sqlite::memory:') }));

describePostgres('PostgreSQL', () => {
  hardeningContract('postgres', async () => {
    const url = await createPostgresDatabase();
    return { storage: await openStorage(url, { poolSize: 10 }), second: await openStorage(url, { poolSize: 10 }) };
  });
});
