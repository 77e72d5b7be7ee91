// The token storage contract (STYLE.md sketch 8): grants, access tokens and refresh tokens behave the same on every
// adapter, and their single-use and revocation rules hold when callers race. `open` gives a fresh, migrated, empty
// database on each call; `openTwo`, when given, two connections (two pools, as two processes have) to one.
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessTokenRecord } from './records/access-token.js';
import type { GrantRecord } from './records/grant.js';
import type { RefreshTokenRecord } from './records/refresh-token.js';
import type { AuditEventRecord, Storage } from './storage.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0, 123); // past 2^32 ms: a BIGINT that came back as a string would show
const MINUTE = 60_000;
const CLIENT = 'client-a';

async function withClient(storage: Storage, clientId = CLIENT): Promise<void> {
  await storage.clients.create({
    clientId,
    metadata: { redirect_uris: [], grant_types: ['refresh_token'], response_types: [], token_endpoint_auth_method: 'none' },
    policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [] },
    createdAt: NOW,
    updatedAt: NOW,
  });
}

const aGrant = (overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  id: `grant-${Math.random().toString(36).slice(2)}`,
  clientId: CLIENT,
  subject: 'user-1',
  scope: ['openid', 'offline_access'],
  resources: [],
  createdAt: NOW,
  expiresAt: NOW + 60 * MINUTE,
  ...overrides,
});

const anAccessToken = (overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord => ({
  id: `at-${Math.random().toString(36).slice(2)}`,
  format: 'opaque',
  clientId: CLIENT,
  scope: ['read'],
  audience: ['https://api.example.com'],
  issuedAt: NOW,
  expiresAt: NOW + 10 * MINUTE,
  ...overrides,
});

const aRefreshToken = (grantId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  hash: `rt-${Math.random().toString(36).slice(2)}`,
  grantId,
  clientId: CLIENT,
  subject: 'user-1',
  scope: ['openid', 'offline_access'],
  issuedAt: NOW,
  expiresAt: NOW + 60 * MINUTE,
  absoluteExpiresAt: NOW + 120 * MINUTE,
  ...overrides,
});

export function tokenStorageContract(name: string, open: () => Promise<Storage>, options: { openTwo?: () => Promise<[Storage, Storage]> } = {}): void {
  describe(`${name} token storage contract`, () => {
    const opened: Storage[] = [];
    const fresh = async (): Promise<Storage> => {
      const storage = await open();
      opened.push(storage);
      await withClient(storage);
      return storage;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });

    describe('grants: the family every token belongs to', () => {
      it('create() then find() returns every field, times as numbers', async () => {
        const storage = await fresh();
        const grant = aGrant({ resources: ['https://api.example.com'], sessionId: 'sid-1', authTime: NOW - 1, acr: 'urn:acr:1', amr: ['pwd'], lastUsedAt: NOW });
        await storage.grants.create(grant);
        expect(await storage.grants.find(grant.id)).toEqual(grant);
        const minimal = aGrant({ subject: undefined, expiresAt: undefined, scope: [] });
        delete (minimal as { subject?: string }).subject;
        delete (minimal as { expiresAt?: number }).expiresAt;
        await storage.grants.create(minimal);
        expect(await storage.grants.find(minimal.id)).toEqual(minimal);
        expect(await storage.grants.find('unknown')).toBeUndefined();
      });

      it('listBySubject() returns the subject\'s grants that are not revoked, newest first', async () => {
        const storage = await fresh();
        const older = aGrant({ createdAt: NOW });
        const newer = aGrant({ createdAt: NOW + 1 });
        const revoked = aGrant({ revokedAt: NOW });
        const someoneElse = aGrant({ subject: 'user-2' });
        for (const grant of [older, newer, revoked, someoneElse]) await storage.grants.create(grant);
        expect((await storage.grants.listBySubject('user-1')).map((grant) => grant.id)).toEqual([newer.id, older.id]);
      });

      it('touch() records the use and extends expiresAt, never shortens it, and keeps a grant without expiry so', async () => {
        const storage = await fresh();
        const grant = aGrant({ expiresAt: NOW + 10 * MINUTE });
        const forever = aGrant({ expiresAt: undefined });
        await storage.grants.create(grant);
        await storage.grants.create(forever);
        expect(await storage.grants.touch(grant.id, NOW + 1, NOW + 30 * MINUTE)).toBe(true);
        expect(await storage.grants.find(grant.id)).toMatchObject({ lastUsedAt: NOW + 1, expiresAt: NOW + 30 * MINUTE });
        expect(await storage.grants.touch(grant.id, NOW + 2, NOW + 5 * MINUTE)).toBe(true);
        expect(await storage.grants.find(grant.id)).toMatchObject({ lastUsedAt: NOW + 2, expiresAt: NOW + 30 * MINUTE });
        expect(await storage.grants.touch(forever.id, NOW, NOW + MINUTE)).toBe(true);
        expect((await storage.grants.find(forever.id))?.expiresAt).toBeUndefined();
      });

      it('touch() is false for a revoked or unknown grant', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        await storage.grants.revoke(grant.id, NOW);
        expect(await storage.grants.touch(grant.id, NOW, NOW + MINUTE)).toBe(false);
        expect(await storage.grants.touch('unknown', NOW, NOW + MINUTE)).toBe(false);
      });

      it('RFC 7009 §2.1: revoke() revokes every refresh and access token of the grant, and nothing else', async () => {
        const storage = await fresh();
        const [grant, bystander] = [aGrant(), aGrant()];
        await storage.grants.create(grant);
        await storage.grants.create(bystander);
        const family = [anAccessToken({ grantId: grant.id }), anAccessToken({ grantId: grant.id })];
        const others = [anAccessToken({ grantId: bystander.id }), anAccessToken()];
        for (const token of [...family, ...others]) await storage.accessTokens.save(token);
        const refresh = [aRefreshToken(grant.id), aRefreshToken(grant.id)];
        const otherRefresh = aRefreshToken(bystander.id);
        for (const token of [...refresh, otherRefresh]) await storage.refreshTokens.save(token);

        await storage.grants.revoke(grant.id, NOW + 5);
        expect((await storage.grants.find(grant.id))?.revokedAt).toBe(NOW + 5);
        for (const token of family) expect((await storage.accessTokens.find(token.id))?.revokedAt).toBe(NOW + 5);
        for (const token of refresh) expect((await storage.refreshTokens.find(token.hash))?.revokedAt).toBe(NOW + 5);
        for (const token of others) expect((await storage.accessTokens.find(token.id))?.revokedAt).toBeUndefined();
        expect((await storage.refreshTokens.find(otherRefresh.hash))?.revokedAt).toBeUndefined();
        expect((await storage.grants.find(bystander.id))?.revokedAt).toBeUndefined();
      });

      it('deleting the client deletes its grants and every token issued to it', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        const access = [anAccessToken({ grantId: grant.id }), anAccessToken()];
        for (const token of access) await storage.accessTokens.save(token);
        const refresh = aRefreshToken(grant.id);
        await storage.refreshTokens.save(refresh);
        expect(await storage.clients.delete(CLIENT)).toBe(true);
        expect(await storage.grants.find(grant.id)).toBeUndefined();
        for (const token of access) expect(await storage.accessTokens.find(token.id)).toBeUndefined();
        expect(await storage.refreshTokens.find(refresh.hash)).toBeUndefined();
      });
    });

    describe('access tokens: recorded by hash or jti', () => {
      it('save() then find() returns every field', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        const full = anAccessToken({ format: 'jwt', grantId: grant.id, subject: 'user-1', dpopJkt: 'jkt', audience: ['a', 'b'], scope: [], act: { sub: 'svc', act: { sub: 'gw' } } });
        const minimal = anAccessToken();
        await storage.accessTokens.save(full);
        await storage.accessTokens.save(minimal);
        expect(await storage.accessTokens.find(full.id)).toEqual(full);
        expect(await storage.accessTokens.find(minimal.id)).toEqual(minimal);
        expect(await storage.accessTokens.find('unknown')).toBeUndefined();
      });

      it('save(token, issued) writes the token and its audit event, both or neither', async () => {
        const storage = await fresh();
        const token = anAccessToken();
        const event = { id: `${NOW.toString(36)}-evt`, at: NOW, type: 'token.issued', actor: `client:${CLIENT}`, clientId: CLIENT, ip: '192.0.2.1', details: { grant_type: 'client_credentials', issued: 'access_token' } };
        await Promise.all([storage.accessTokens.save(token, event), storage.accessTokens.save(anAccessToken())]);
        expect(await storage.accessTokens.find(token.id)).toEqual(token);
        expect(await storage.audit.list({ type: 'token.issued' })).toEqual([event]);
        // A second token under the same event id: the event's INSERT fails, so the save fails.
        const again = anAccessToken();
        await expect(storage.accessTokens.save(again, event)).rejects.toThrow();
        expect(await storage.accessTokens.find(again.id)).toBeUndefined(); // nothing written
        expect(await storage.audit.list({ type: 'token.issued' })).toHaveLength(1);
      });

      it('revoke() is true once, then false; false for an unknown token', async () => {
        const storage = await fresh();
        const token = anAccessToken();
        await storage.accessTokens.save(token);
        expect(await storage.accessTokens.revoke(token.id, NOW)).toBe(true);
        expect(await storage.accessTokens.revoke(token.id, NOW + 1)).toBe(false);
        expect((await storage.accessTokens.find(token.id))?.revokedAt).toBe(NOW);
        expect(await storage.accessTokens.revoke('unknown', NOW)).toBe(false);
      });

      const anEvent = (id: string): AuditEventRecord => ({ id, at: NOW, type: 'token.revoked', actor: `client:${CLIENT}`, clientId: CLIENT, details: { kind: 'access_token' } });

      it('Issue 9 item 8 / issue #10 §2: revokeRecorded() revokes and records the event together, among concurrent writes', async () => {
        const storage = await fresh();
        const tokens = Array.from({ length: 5 }, () => anAccessToken());
        for (const token of tokens) await storage.accessTokens.save(token);
        const others = Array.from({ length: 5 }, () => anAccessToken());
        // Revocations and unrelated writes in one turn: on SQLite, one group commit.
        const results = await Promise.all([
          ...tokens.map((token, i) => storage.accessTokens.revokeRecorded(token.id, NOW + i, anEvent(`event-${i}`))),
          ...others.map((token) => storage.accessTokens.save(token)),
        ]);
        expect(results.slice(0, tokens.length)).toEqual([true, true, true, true, true]);
        for (const [i, token] of tokens.entries()) expect((await storage.accessTokens.find(token.id))?.revokedAt).toBe(NOW + i);
        for (const token of others) expect(await storage.accessTokens.find(token.id)).toEqual(token);
        const events = await storage.audit.list({ type: 'token.revoked' });
        expect(events.map((event) => event.id).sort()).toEqual(['event-0', 'event-1', 'event-2', 'event-3', 'event-4']);
        expect(events.find((event) => event.id === 'event-0')).toEqual(anEvent('event-0'));
        expect(await storage.accessTokens.revokeRecorded(tokens[0]?.id as string, NOW + 9, anEvent('event-again'))).toBe(false); // already revoked
        expect((await storage.accessTokens.find(tokens[0]?.id as string))?.revokedAt).toBe(NOW);
      });

      it('Issue 9 item 8: revokeRecorded() is all or nothing: an event that cannot be stored leaves the token unrevoked, and the writes beside it stand', async () => {
        const storage = await fresh();
        const [first, second, bystander] = [anAccessToken(), anAccessToken(), anAccessToken()];
        for (const token of [first, second]) await storage.accessTokens.save(token);
        await storage.accessTokens.revokeRecorded(first.id, NOW, anEvent('taken'));
        const outcomes = await Promise.allSettled([
          storage.accessTokens.revokeRecorded(second.id, NOW, anEvent('taken')), // the event id exists: the insert fails
          storage.accessTokens.save(bystander),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
        expect((await storage.accessTokens.find(second.id))?.revokedAt).toBeUndefined();
        expect(await storage.accessTokens.find(bystander.id)).toEqual(bystander);
        expect((await storage.audit.list({ type: 'token.revoked' })).map((event) => event.id)).toEqual(['taken']);
        // Inside a transaction the same holds, and the transaction can go on.
        await storage.transaction(async (tx) => {
          await expect(tx.accessTokens.revokeRecorded(second.id, NOW, anEvent('taken'))).rejects.toThrow();
          expect((await tx.accessTokens.find(second.id))?.revokedAt).toBeUndefined();
          expect(await tx.accessTokens.revokeRecorded(second.id, NOW + 1, anEvent('fresh'))).toBe(true);
        });
        expect((await storage.accessTokens.find(second.id))?.revokedAt).toBe(NOW + 1);
      });
    });

    describe('RFC 9700 §4.14.2: refresh token rotation happens once', () => {
      it('save() then find() returns every field', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        const token = aRefreshToken(grant.id, { dpopJkt: 'jkt', rotatedAt: NOW + 1, successorHash: 'next', revokedAt: NOW + 2 });
        await storage.refreshTokens.save(token);
        expect(await storage.refreshTokens.find(token.hash)).toEqual(token);
      });

      it('rotate() marks the old token rotated with its successor and stores the successor; a second rotate() is false', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        const old = aRefreshToken(grant.id);
        await storage.refreshTokens.save(old);
        const next = aRefreshToken(grant.id, { issuedAt: NOW + 1000 });
        expect(await storage.refreshTokens.rotate(old.hash, next)).toBe(true);
        expect(await storage.refreshTokens.find(old.hash)).toEqual({ ...old, rotatedAt: NOW + 1000, successorHash: next.hash });
        expect(await storage.refreshTokens.find(next.hash)).toEqual(next);

        const another = aRefreshToken(grant.id);
        expect(await storage.refreshTokens.rotate(old.hash, another)).toBe(false);
        expect(await storage.refreshTokens.find(another.hash)).toBeUndefined();
      });

      it('rotate() is false for a revoked or unknown token, and stores nothing', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        const old = aRefreshToken(grant.id);
        await storage.refreshTokens.save(old);
        await storage.grants.revoke(grant.id, NOW);
        const next = aRefreshToken(grant.id);
        expect(await storage.refreshTokens.rotate(old.hash, next)).toBe(false);
        expect(await storage.refreshTokens.rotate('unknown', next)).toBe(false);
        expect(await storage.refreshTokens.find(next.hash)).toBeUndefined();
      });

      it('rotate() succeeds for exactly one of many racing callers, and only one successor is stored', async () => {
        const storage = await fresh();
        const grant = aGrant();
        await storage.grants.create(grant);
        const old = aRefreshToken(grant.id);
        await storage.refreshTokens.save(old);
        const successors = Array.from({ length: 10 }, () => aRefreshToken(grant.id));
        const results = await Promise.all(successors.map((next) => storage.refreshTokens.rotate(old.hash, next)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const stored = await Promise.all(successors.map((next) => storage.refreshTokens.find(next.hash)));
        expect(stored.filter((token) => token !== undefined)).toHaveLength(1);
      });
    });

    describe('clean-up: deleteExpired() is bounded and spares what is live', () => {
      it('access and refresh tokens: at most `limit` per call, only those expired before now', async () => {
        const storage = await fresh();
        const grant = aGrant({ expiresAt: NOW + 120 * MINUTE });
        await storage.grants.create(grant);
        for (let i = 0; i < 5; i++) {
          await storage.accessTokens.save(anAccessToken({ expiresAt: NOW - i - 1 }));
          await storage.refreshTokens.save(aRefreshToken(grant.id, { expiresAt: NOW - i - 1 }));
        }
        const liveAccess = anAccessToken({ expiresAt: NOW + 1 });
        const liveRefresh = aRefreshToken(grant.id, { expiresAt: NOW + 1 });
        await storage.accessTokens.save(liveAccess);
        await storage.refreshTokens.save(liveRefresh);
        for (const table of [storage.accessTokens, storage.refreshTokens]) {
          expect(await table.deleteExpired(NOW, 3)).toBe(3);
          expect(await table.deleteExpired(NOW, 3)).toBe(2);
          expect(await table.deleteExpired(NOW, 3)).toBe(0);
        }
        expect(await storage.accessTokens.find(liveAccess.id)).toBeDefined();
        expect(await storage.refreshTokens.find(liveRefresh.hash)).toBeDefined();
      });

      it('grants: expired and revoked ones go, with what is left under them; live and open-ended ones stay', async () => {
        const storage = await fresh();
        const expired = aGrant({ expiresAt: NOW - 1 });
        const revoked = aGrant({ revokedAt: NOW - 1 });
        const live = aGrant({ expiresAt: NOW + 1 });
        const openEnded = aGrant({ expiresAt: undefined });
        for (const grant of [expired, revoked, live, openEnded]) await storage.grants.create(grant);
        const orphan = anAccessToken({ grantId: expired.id, expiresAt: NOW + MINUTE });
        await storage.accessTokens.save(orphan);
        const orphanRefresh = aRefreshToken(revoked.id);
        await storage.refreshTokens.save(orphanRefresh);

        expect(await storage.grants.deleteExpired(NOW, 1)).toBe(1);
        expect(await storage.grants.deleteExpired(NOW, 10)).toBe(1);
        expect(await storage.grants.deleteExpired(NOW, 10)).toBe(0);
        expect(await storage.grants.find(expired.id)).toBeUndefined();
        expect(await storage.grants.find(revoked.id)).toBeUndefined();
        expect(await storage.accessTokens.find(orphan.id)).toBeUndefined();
        expect(await storage.refreshTokens.find(orphanRefresh.hash)).toBeUndefined();
        expect(await storage.grants.find(live.id)).toBeDefined();
        expect(await storage.grants.find(openEnded.id)).toBeDefined();
      });
    });

    const { openTwo } = options;
    if (openTwo === undefined) return;

    describe('two connections to one database (two server processes)', () => {
      const two = async (): Promise<[Storage, Storage]> => {
        const pair = await openTwo();
        opened.push(...pair);
        await withClient(pair[0]);
        return pair;
      };

      it('rotate() racing from both connections succeeds exactly once', async () => {
        const [first, second] = await two();
        const grant = aGrant();
        await first.grants.create(grant);
        const old = aRefreshToken(grant.id);
        await first.refreshTokens.save(old);
        const racers = Array.from({ length: 20 }, (_, i) => ({ storage: i % 2 === 0 ? first : second, next: aRefreshToken(grant.id) }));
        const results = await Promise.all(racers.map(({ storage, next }) => storage.refreshTokens.rotate(old.hash, next)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const stored = await Promise.all(racers.map(({ next }) => first.refreshTokens.find(next.hash)));
        expect(stored.filter((token) => token !== undefined)).toHaveLength(1);
      });

      it('issuing under touch() while another connection revokes the grant never leaves a live token in a revoked family', async () => {
        const [first, second] = await two();
        for (let round = 0; round < 10; round++) {
          const grant = aGrant();
          await first.grants.create(grant);
          const old = aRefreshToken(grant.id);
          await first.refreshTokens.save(old);
          const next = aRefreshToken(grant.id);
          const access = anAccessToken({ grantId: grant.id });
          // What TokenIssuer.rotate() does, against what a replay elsewhere does.
          const issuing = first.transaction(async (tx) => {
            if (!(await tx.grants.touch(grant.id, NOW, NOW + MINUTE))) return false;
            if (!(await tx.refreshTokens.rotate(old.hash, next))) return false;
            await tx.accessTokens.save(access);
            return true;
          });
          const revoking = second.grants.revoke(grant.id, NOW);
          const [issued] = await Promise.all([issuing, revoking]);
          const stored = await first.accessTokens.find(access.id);
          if (issued) expect(stored?.revokedAt).toBe(NOW);
          else expect(stored).toBeUndefined();
          const successor = await first.refreshTokens.find(next.hash);
          if (successor !== undefined) expect(successor.revokedAt).toBe(NOW);
        }
      });
    });
  });
}
