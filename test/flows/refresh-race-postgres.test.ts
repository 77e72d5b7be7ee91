// RFC 9700 §4.14.2 across processes: the same refresh token presented at once to two servers sharing one PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/lib/hash.js';
import { MasterKey } from '../../src/lib/master-key.js';
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
