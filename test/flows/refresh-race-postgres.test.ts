// RFC 9700 §4.14.2 across processes: the same refresh token presented at once to two servers sharing one PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/lib/hash.js';
import { MasterKey } from '../../src/lib/master-key.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { killLeftoverProcesses, startLatchkeyServer } from '../support/latchkey-process.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { createTestClient, issueUserTokens, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describePostgres('RFC 9700 §4.14.2: refresh rotation racing across two servers on one PostgreSQL', () => {
  for (const grace of [0, 10]) {
    describe(`with a reuse grace window of ${grace} s`, () => {
      let servers: TestServer[] = [];
      let client: TestClient;
      beforeAll(async () => {
        const databaseUrl = await createPostgresDatabase();
        // Both servers share the database, so they share the master key that seals its signing keys.
        const env = { LATCHKEY_MASTER_KEY: MasterKey.generate().encoded, LATCHKEY_REFRESH_REUSE_GRACE_SECONDS: String(grace) };
        servers = [await startTestServer({ databaseUrl, env }), await startTestServer({ databaseUrl, env })];
        client = await createTestClient(servers[0] as TestServer);
      });
      afterAll(() => Promise.all(servers.map((server) => server.close())));

      it('ten simultaneous refreshes with one token, split across the servers, rotate it exactly once', async () => {
        const [first, second] = servers as [TestServer, TestServer];
        const { refreshToken, grantId } = await issueUserTokens(first, client);
        const responses = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            postForm(`${(i % 2 === 0 ? first : second).url}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: client.basic }),
          ),
        );
        const ok = responses.filter((response) => response.status === 200);
        const refused = responses.filter((response) => response.status !== 200);
        const { storage } = first.server.deps;
        const old = await storage.refreshTokens.find(hashSecret(refreshToken));
        expect(old?.rotatedAt).toEqual(expect.any(Number));
        expect(await storage.refreshTokens.find(String(old?.successorHash))).toBeDefined();

        if (grace === 0) {
          // One winner; every other presentation is a replay, which revokes the family, the winner's tokens too.
          expect(ok).toHaveLength(1);
          for (const response of refused) expect(response.body.error).toBe('invalid_grant');
          expect((await storage.grants.find(grantId))?.revokedAt).toEqual(expect.any(Number));
        } else {
          // One rotation; the others are retries inside the window and get siblings, and the family lives.
          expect(ok).toHaveLength(10);
          expect(new Set(ok.map((response) => response.body.refresh_token)).size).toBe(10);
          expect((await storage.grants.find(grantId))?.revokedAt).toBeUndefined();
        }
      });
    });
  }
});

describePostgres('RFC 9700 §4.14.2: refresh rotation racing across two `latchkey serve` processes on one PostgreSQL', () => {
  afterAll(() => killLeftoverProcesses());

  it('ten simultaneous refreshes with one token, split across the processes: one 200, one rotation, the family revoked', async () => {
    const databaseUrl = await createPostgresDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-race-')); // the shared master key file
    const env = () => ({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_LOG_LEVEL: 'warn' });
    const processes = [await startLatchkeyServer({ dataDir, env }), await startLatchkeyServer({ dataDir, env })];
    const storage = await openStorage(databaseUrl, { poolSize: 2 });
    try {
      const now = Date.now();
      const secret = randomBytes(32).toString('base64url');
      await storage.clients.create({
        clientId: 'racer',
        metadata: { redirect_uris: [], grant_types: ['refresh_token'], response_types: [], token_endpoint_auth_method: 'client_secret_post' },
        policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [] },
        secretHash: hashSecret(secret),
        createdAt: now,
        updatedAt: now,
      });
      const grantId = randomUUID();
      await storage.grants.create({ id: grantId, clientId: 'racer', subject: 'user-1', scope: ['offline_access'], resources: [], createdAt: now, expiresAt: now + 3_600_000 });
      const refreshToken = randomBytes(32).toString('base64url');
      const hash = hashSecret(refreshToken);
      await storage.refreshTokens.save({ hash, grantId, clientId: 'racer', subject: 'user-1', scope: ['offline_access'], issuedAt: now, expiresAt: now + 3_600_000, absoluteExpiresAt: now + 86_400_000 });

      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          postForm(`${processes[i % 2]?.url}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'racer', client_secret: secret }),
        ),
      );
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 200)) expect(response.body.error).toBe('invalid_grant');
      const old = await storage.refreshTokens.find(hash);
      expect(old?.rotatedAt).toEqual(expect.any(Number));
      expect(await storage.refreshTokens.find(String(old?.successorHash))).toMatchObject({ revokedAt: expect.any(Number) });
      expect((await storage.grants.find(grantId))?.revokedAt).toEqual(expect.any(Number));
    } finally {
      await storage.close();
      await Promise.all(processes.map((server) => server.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
