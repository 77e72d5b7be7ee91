// The storage contract suite (STYLE.md sketch 8): every adapter runs these same tests against a real database.
// `open` must give a fresh, migrated, empty database on each call; the suite closes what it opens.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SigningKeyRecord, Storage } from './storage.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0, 123); // epoch ms past 2^32: a BIGINT column that came back as a string would show

function aSigningKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = overrides.kid ?? `kid-${Math.random().toString(36).slice(2)}`;
  return {
    kid,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid, alg: 'ES256', use: 'sig' },
    sealedPrivateKey: `v1.iv.${kid}-sealed.tag`,
    createdAt: NOW,
    activatesAt: NOW + 3_600_000,
    ...overrides,
  };
}

const byKid = (a: SigningKeyRecord, b: SigningKeyRecord): number => a.kid.localeCompare(b.kid);

export function storageContract(name: string, open: () => Promise<Storage>): void {
  describe(`${name} storage contract`, () => {
    const opened: Storage[] = [];
    const fresh = async (): Promise<Storage> => {
      const storage = await open();
      opened.push(storage);
      return storage;
    };
    const dialects = new Set<string>();
    let ran = 0;
    afterEach(async () => {
      ran++;
      for (const storage of opened) dialects.add(storage.dialect);
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });
    afterAll(() => {
      // Say so in the run's output: CI must show the suite ran on every adapter (issue #2, "Done when").
      if (ran > 0) console.log(`${name} storage contract: ${ran} tests ran on ${[...dialects].join(', ')}`);
    });

    describe('Issue #2 §4: the database is migrated and reachable', () => {
      it('opens with every migration applied and none pending', async () => {
        const storage = await fresh();
        const migrate = (storage as Partial<{ migrate(): Promise<string[]> }>).migrate;
        if (migrate !== undefined) expect(await migrate()).toEqual([]);
        expect(await storage.signingKeys.list()).toEqual([]); // the tables exist, and start empty
        expect(await storage.replay.use('first-use', NOW)).toBe(true);
      });

      it('ping() resolves while the database answers', async () => {
        const storage = await fresh();
        await expect(storage.ping()).resolves.toBeUndefined();
      });
    });

    describe('Issue #2 §5: signing keys round-trip through storage unchanged', () => {
      it('add() then list() returns every field as stored, times as numbers', async () => {
        const storage = await fresh();
        const keys = [
          aSigningKey({ kid: 'a', alg: 'ES256' }),
          aSigningKey({ kid: 'b', alg: 'RS256', publicJwk: { kty: 'RSA', n: 'AQAB'.repeat(40), e: 'AQAB', kid: 'b', alg: 'RS256', use: 'sig' } }),
          aSigningKey({ kid: 'c', alg: 'EdDSA', createdAt: NOW + 1, activatesAt: NOW + 1 }),
        ];
        for (const key of keys) await storage.signingKeys.add(key);
        const listed = (await storage.signingKeys.list()).sort(byKid);
        expect(listed).toEqual(keys);
        for (const key of listed) {
          expect(typeof key.createdAt).toBe('number');
          expect(typeof key.activatesAt).toBe('number');
        }
      });

      it('remove() deletes exactly the kids named, and ignores unknown or no kids', async () => {
        const storage = await fresh();
        for (const kid of ['a', 'b', 'c']) await storage.signingKeys.add(aSigningKey({ kid }));
        await storage.signingKeys.remove([]);
        await storage.signingKeys.remove(['a', 'c', 'unknown']);
        expect((await storage.signingKeys.list()).map((key) => key.kid)).toEqual(['b']);
      });

      it('Issue #9 §6: exclusively() makes racing callers take turns: ten at once "add a key if there is none" leave one', async () => {
        const storage = await fresh();
        await Promise.all(
          Array.from({ length: 10 }, () =>
            storage.signingKeys.exclusively(async (keys) => {
              const none = (await keys.list()).length === 0;
              await new Promise((resolve) => setTimeout(resolve, 20)); // making a key takes a while (RSA: tens of ms)
              if (none) await keys.add(aSigningKey());
            }),
          ),
        );
        expect(await storage.signingKeys.list()).toHaveLength(1);
      });
    });

    describe('RFC 7523 §3 / RFC 9449 §11.1: a replay marker is single-use across racing callers', () => {
      it('use() resolves true once, then false for the same key', async () => {
        const storage = await fresh();
        expect(await storage.replay.use('jti-1', NOW + 60_000)).toBe(true);
        expect(await storage.replay.use('jti-1', NOW + 60_000)).toBe(false);
      });

      it('use() resolves true for exactly one of 20 concurrent callers', async () => {
        const storage = await fresh();
        const results = await Promise.all(Array.from({ length: 20 }, () => storage.replay.use('raced', NOW + 60_000)));
        expect(results.filter((won) => won)).toHaveLength(1);
      });

      it('use() resolves true for each of 20 concurrent distinct keys', async () => {
        const storage = await fresh();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.replay.use(`distinct-${i}`, NOW + 60_000)));
        expect(results).toEqual(Array.from({ length: 20 }, () => true));
      });

      it('deleteExpired() removes only markers expired before now, at most `limit` at a time', async () => {
        const storage = await fresh();
        for (let i = 0; i < 5; i++) await storage.replay.use(`expired-${i}`, NOW - 1 - i);
        await storage.replay.use('expires-now', NOW);
        for (let i = 0; i < 2; i++) await storage.replay.use(`live-${i}`, NOW + 60_000);

        expect(await storage.replay.deleteExpired(NOW, 3)).toBe(3);
        expect(await storage.replay.deleteExpired(NOW, 3)).toBe(2);
        expect(await storage.replay.deleteExpired(NOW, 3)).toBe(0);

        // Markers still inside their lifetime are kept, so they still refuse a replay.
        for (const key of ['expires-now', 'live-0', 'live-1']) expect(await storage.replay.use(key, NOW + 60_000)).toBe(false);
        for (let i = 0; i < 5; i++) expect(await storage.replay.use(`expired-${i}`, NOW + 60_000)).toBe(true);
      });
    });

    describe('Issue #2 §4: transaction(work) commits all of it or none of it', () => {
      it('commits every write and resolves to what work returns', async () => {
        const storage = await fresh();
        const key = aSigningKey({ kid: 'committed' });
        const result = await storage.transaction(async (tx) => {
          await tx.signingKeys.add(key);
          expect(await tx.replay.use('in-transaction', NOW + 60_000)).toBe(true);
          expect((await tx.signingKeys.list()).map((k) => k.kid)).toEqual(['committed']); // sees its own writes
          return 42;
        });
        expect(result).toBe(42);
        expect(await storage.signingKeys.list()).toEqual([key]);
        expect(await storage.replay.use('in-transaction', NOW + 60_000)).toBe(false);
      });

      it('stores nothing when work throws, and rethrows the error', async () => {
        const storage = await fresh();
        const failure = new Error('abort');
        await expect(
          storage.transaction(async (tx) => {
            await tx.signingKeys.add(aSigningKey({ kid: 'rolled-back' }));
            await tx.replay.use('rolled-back', NOW + 60_000);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await storage.signingKeys.list()).toEqual([]);
        expect(await storage.replay.use('rolled-back', NOW + 60_000)).toBe(true);
      });

      it('a nested transaction joins the outer one and rolls back with it', async () => {
        const storage = await fresh();
        await expect(
          storage.transaction(async (tx) => {
            await tx.transaction(async (inner) => inner.signingKeys.add(aSigningKey({ kid: 'inner' })));
            throw new Error('outer fails after inner finished');
          }),
        ).rejects.toThrow('outer fails');
        expect(await storage.signingKeys.list()).toEqual([]);
      });

      it('a unique-key conflict inside work rolls back the earlier writes', async () => {
        const storage = await fresh();
        await storage.signingKeys.add(aSigningKey({ kid: 'taken' }));
        await expect(
          storage.transaction(async (tx) => {
            await tx.replay.use('before-conflict', NOW + 60_000);
            await tx.signingKeys.add(aSigningKey({ kid: 'taken' }));
          }),
        ).rejects.toThrow();
        expect(await storage.replay.use('before-conflict', NOW + 60_000)).toBe(true);
        expect((await storage.signingKeys.list()).map((key) => key.kid)).toEqual(['taken']);
      });
    });
  });
}
