// The Clients and InitialAccessTokens port contract: every adapter (SQLite, PostgreSQL) runs this one suite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../records/client.js';
import type { Storage } from '../storage.js';

export function aClient(overrides: Partial<Client> = {}): Client {
  return {
    clientId: 'client-a',
    metadata: {
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_name: 'Démo ✓', // non-ASCII survives both dialects
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
      require_auth_time: true,
      default_max_age: 3600,
    },
    policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: ['password'], accessTokenTtlSeconds: 300, skipConsent: true },
    secretHash: 'h'.repeat(43),
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 1),
    ...overrides,
  };
}

export function clientsContract(name: string, open: () => Promise<Storage>): void {
  describe(`${name}: Clients and InitialAccessTokens storage contract`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.close();
    });

    it('create then find returns the same record, every optional field included', async () => {
      const client = aClient({
        previousSecretHash: 'p'.repeat(43),
        previousSecretExpiresAt: Date.UTC(2026, 0, 2),
        sealedSecret: 'v1.iv.body.tag',
        previousSealedSecret: 'v1.iv2.body2.tag2',
        registrationAccessTokenHash: 'r'.repeat(43),
      });
      expect(await storage.clients.create(client)).toBe(true);
      expect(await storage.clients.find(client.clientId)).toEqual(client);
    });

    it('a record without optional fields comes back without them (no nulls)', async () => {
      const client = aClient({ secretHash: undefined });
      const { secretHash: _omitted, ...expected } = client;
      await storage.clients.create(client);
      expect(await storage.clients.find(client.clientId)).toEqual(expected);
    });

    it('find of an unknown client_id is undefined', async () => {
      expect(await storage.clients.find('nobody')).toBeUndefined();
    });

    it('create refuses a taken client_id and keeps the first record', async () => {
      const first = aClient();
      expect(await storage.clients.create(first)).toBe(true);
      expect(await storage.clients.create(aClient({ metadata: { ...first.metadata, client_name: 'second' } }))).toBe(false);
      expect((await storage.clients.find(first.clientId))?.metadata.client_name).toBe(first.metadata.client_name);
    });

    it('create succeeds for exactly one of two racing callers', async () => {
      const results = await Promise.all([storage.clients.create(aClient()), storage.clients.create(aClient())]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('update replaces the record (clearing fields) but not created_at; false for an unknown client', async () => {
      const client = aClient({ previousSecretHash: 'p'.repeat(43), previousSecretExpiresAt: 5 });
      await storage.clients.create(client);
      const { previousSecretHash: _a, previousSecretExpiresAt: _b, ...rest } = client;
      const changed: Client = { ...rest, metadata: { ...client.metadata, client_name: 'renamed' }, createdAt: 1, updatedAt: Date.UTC(2026, 5, 1) };
      expect(await storage.clients.update(changed)).toBe(true);
      expect(await storage.clients.find(client.clientId)).toEqual({ ...changed, createdAt: client.createdAt });
      expect(await storage.clients.update(aClient({ clientId: 'nobody' }))).toBe(false);
    });

    it('delete removes the client once', async () => {
      await storage.clients.create(aClient());
      expect(await storage.clients.delete('client-a')).toBe(true);
      expect(await storage.clients.find('client-a')).toBeUndefined();
      expect(await storage.clients.delete('client-a')).toBe(false);
    });

    it('list is ordered by client_id, bounded by limit, and pages with afterClientId', async () => {
      for (const id of ['c3', 'c1', 'c5', 'c2', 'c4']) await storage.clients.create(aClient({ clientId: id }));
      expect((await storage.clients.list()).map((c) => c.clientId)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
      expect((await storage.clients.list({ limit: 2 })).map((c) => c.clientId)).toEqual(['c1', 'c2']);
      expect((await storage.clients.list({ afterClientId: 'c2', limit: 2 })).map((c) => c.clientId)).toEqual(['c3', 'c4']);
      expect(await storage.clients.list({ afterClientId: 'c5' })).toEqual([]);
    });

    it('a client created inside a failed transaction is not stored', async () => {
      await expect(
        storage.transaction(async (tx) => {
          await tx.clients.create(aClient());
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await storage.clients.find('client-a')).toBeUndefined();
    });

    it('initial access tokens: create, find by hash, delete the expired ones', async () => {
      await storage.initialAccessTokens.create({ tokenHash: 'live', createdAt: 1, expiresAt: 2_000 });
      await storage.initialAccessTokens.create({ tokenHash: 'old', createdAt: 1, expiresAt: 500 });
      expect(await storage.initialAccessTokens.find('live')).toEqual({ tokenHash: 'live', createdAt: 1, expiresAt: 2_000 });
      expect(await storage.initialAccessTokens.find('nope')).toBeUndefined();
      expect(await storage.initialAccessTokens.deleteExpired(1_000, 10)).toBe(1);
      expect(await storage.initialAccessTokens.find('old')).toBeUndefined();
      expect(await storage.initialAccessTokens.find('live')).toBeDefined();
    });

    it('replay guard: a client assertion jti is used once however many race', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => storage.replay.use('client-assertion:x', Date.now() + 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
