// Access token formats end to end: RFC 9068 JWTs verify against the published JWKS; opaque tokens are kept only as
// SHA-256 hashes (DESIGN.md "Secrets at rest").
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/lib/hash.js';
import { createTestClient, endpoints, issueUserTokens, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let jwtClient: TestClient;
let opaqueClient: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  jwtClient = await createTestClient(server, { accessTokenFormat: 'jwt', scope: 'read write' });
  opaqueClient = await createTestClient(server, { accessTokenFormat: 'opaque' });
});
afterAll(() => server.close());

describe('RFC 9068: JWT access tokens', () => {
  it('§2.1, §2.2: verify against the published JWKS with typ at+jwt and carry iss, exp, aud, sub, client_id, iat, jti, scope', async () => {
    const response = await endpoints(server).token(jwtClient, { grant_type: 'client_credentials', scope: 'read' });
    const token = String(response.body.access_token);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: server.issuer, audience: server.issuer, typ: 'at+jwt', algorithms: ['ES256'] });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toEqual({
      iss: server.issuer,
      aud: server.issuer,
      sub: jwtClient.clientId, // §2.2: no resource owner, so the client itself
      client_id: jwtClient.clientId,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      scope: 'read',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600); // the 10-minute default
  });

  it('§2.2: a token for a user carries the user as sub and auth_time', async () => {
    const { accessToken } = await issueUserTokens(server, jwtClient, { subject: 'user-bob' });
    const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'user-bob', client_id: jwtClient.clientId, auth_time: expect.any(Number), scope: 'openid offline_access read write' });
  });

  it('§2.2: is recorded by jti, so it can be introspected and revoked', async () => {
    const response = await endpoints(server).token(jwtClient, { grant_type: 'client_credentials' });
    const token = String(response.body.access_token);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { typ: 'at+jwt' });
    const record = await server.server.deps.storage.accessTokens.find(String(payload.jti));
    expect(record).toMatchObject({ format: 'jwt', clientId: jwtClient.clientId, scope: ['read', 'write'] });
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
  });
});

describe('DESIGN.md "Secrets at rest": opaque tokens are never stored in clear', () => {
  it('the database files hold the SHA-256 of an opaque access and refresh token, never the tokens', async () => {
    const cc = await endpoints(server).token(opaqueClient, { grant_type: 'client_credentials' });
    const accessToken = String(cc.body.access_token);
    expect(accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    const { refreshToken, accessToken: userAccessToken } = await issueUserTokens(server, opaqueClient);

    // Every file of the database: the main file, and the WAL where fresh writes sit until a checkpoint.
    const files = readdirSync(server.dataDir).filter((name) => name.startsWith('latchkey.db'));
    const contents = Buffer.concat(files.map((name) => readFileSync(join(server.dataDir, name))));
    for (const secret of [accessToken, userAccessToken, refreshToken]) {
      expect(contents.includes(secret)).toBe(false);
      expect(contents.includes(hashSecret(secret))).toBe(true);
    }
  });
});
