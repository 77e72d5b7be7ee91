// Token introspection end to end: RFC 7662 §2.1 (request), §2.2 (response), §4 (who may see what).
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createTestClient, endpoints, issueUserTokens, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const clock = new ManualClock(Date.now());
let server: TestServer;
let client: TestClient;
let jwtClient: TestClient;
let other: TestClient;
let gateway: TestClient;
let api: ReturnType<typeof endpoints>;

beforeAll(async () => {
  server = await startTestServer({
    clock,
    env: { LATCHKEY_RESOURCES: JSON.stringify([{ uri: 'https://api.example.com', clients: ['api-gateway'] }, { uri: 'https://other.example.com' }]) },
  });
  client = await createTestClient(server, { scope: 'read write' });
  jwtClient = await createTestClient(server, { accessTokenFormat: 'jwt' });
  other = await createTestClient(server);
  gateway = await createTestClient(server, { clientId: 'api-gateway' });
  api = endpoints(server);
});
afterAll(() => server.close());

const clientCredentials = async (who: TestClient, extra: Record<string, string> = {}): Promise<string> =>
  String((await api.token(who, { grant_type: 'client_credentials', ...extra })).body.access_token);

describe('RFC 7662 §2.2: introspection of each token state', () => {
  it('a valid opaque access token is active, with its scope, client_id, token_type, exp, iat, nbf, sub, aud and iss', async () => {
    const token = await clientCredentials(client, { scope: 'read' });
    const response = await api.introspect(client, token);
    expect(response.status).toBe(200);
    const now = Math.floor(clock.now() / 1000);
    expect(response.body).toEqual({
      active: true,
      scope: 'read',
      client_id: client.clientId,
      token_type: 'Bearer',
      exp: now + 600,
      iat: now,
      nbf: now,
      sub: client.clientId,
      aud: server.issuer,
      iss: server.issuer,
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('a valid JWT access token is active, with its jti', async () => {
    const token = await clientCredentials(jwtClient);
    const response = await api.introspect(jwtClient, token);
    expect(response.body).toMatchObject({ active: true, client_id: jwtClient.clientId, jti: expect.any(String), token_type: 'Bearer' });
  });

  it('a user\'s access token names the user as sub; a refresh token is active until used', async () => {
    const { accessToken, refreshToken } = await issueUserTokens(server, client, { subject: 'user-carol' });
    expect((await api.introspect(client, accessToken)).body).toMatchObject({ active: true, sub: 'user-carol' });
    const refresh = await api.introspect(client, refreshToken, { token_type_hint: 'refresh_token' });
    expect(refresh.body).toMatchObject({ active: true, sub: 'user-carol', client_id: client.clientId, scope: 'openid offline_access read write' });
    expect(refresh.body).not.toHaveProperty('token_type');
  });

  it('an expired token is {"active": false} and nothing else', async () => {
    const token = await clientCredentials(client);
    clock.advance(600_000);
    expect((await api.introspect(client, token)).body).toEqual({ active: false });
  });

  it('a revoked token is {"active": false}', async () => {
    const token = await clientCredentials(client);
    expect((await api.revoke(client, token)).status).toBe(200);
    expect((await api.introspect(client, token)).body).toEqual({ active: false });
  });

  it('garbage is {"active": false}, whether it looks opaque or like a JWT', async () => {
    expect((await api.introspect(client, 'garbage')).body).toEqual({ active: false });
    expect((await api.introspect(client, 'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.')).body).toEqual({ active: false });
  });

  it('a JWT signed by anyone else, even with the jti of a live token, is {"active": false}', async () => {
    const token = await clientCredentials(jwtClient);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
    expect((await api.introspect(jwtClient, forged)).body).toEqual({ active: false });
  });

  it('§2.1: token_type_hint only orders the look-ups: a wrong hint still finds the token', async () => {
    const token = await clientCredentials(client);
    expect((await api.introspect(client, token, { token_type_hint: 'refresh_token' })).body.active).toBe(true);
    expect((await api.introspect(client, token, { token_type_hint: 'something_else' })).body.active).toBe(true);
  });
});

describe('RFC 7662 §4: who may introspect', () => {
  it('another client\'s token is {"active": false} to a client that is not its audience', async () => {
    const token = await clientCredentials(client);
    expect((await api.introspect(other, token)).body).toEqual({ active: false });
  });

  it('a resource server\'s client sees the tokens whose aud names its resource, and only those', async () => {
    const forApi = await clientCredentials(client, { resource: 'https://api.example.com' });
    const forOther = await clientCredentials(client, { resource: 'https://other.example.com' });
    expect((await api.introspect(gateway, forApi)).body).toMatchObject({ active: true, aud: 'https://api.example.com', client_id: client.clientId });
    expect((await api.introspect(gateway, forOther)).body).toEqual({ active: false });
  });

  it('another client never sees a refresh token', async () => {
    const { refreshToken } = await issueUserTokens(server, client, { resources: ['https://api.example.com'] });
    expect((await api.introspect(gateway, refreshToken)).body).toEqual({ active: false });
  });

  it('§2.1: the caller must authenticate: none is 401 invalid_client, and a public client is refused', async () => {
    const token = await clientCredentials(client);
    const anonymous = await postForm(`${server.url}/introspect`, { token });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
    const spa = await createTestClient(server, { authMethod: 'none' });
    const publicClient = await postForm(`${server.url}/introspect`, { token, client_id: spa.clientId });
    expect(publicClient.status).toBe(401);
  });

  it('§2.1: token is required (invalid_request), and the endpoint takes form-encoded POSTs only', async () => {
    expect((await postForm(`${server.url}/introspect`, {}, { authorization: client.basic })).body.error).toBe('invalid_request');
    expect((await fetch(`${server.url}/introspect`, { headers: { authorization: client.basic } })).status).toBe(405);
    const json = await fetch(`${server.url}/introspect`, { method: 'POST', headers: { authorization: client.basic, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
  });
});

describe('RFC 9701: JWT introspection responses', () => {
  it('§4, §5: with Accept: application/token-introspection+jwt the answer is a JWT for the caller, verifiable with the JWKS', async () => {
    const token = await clientCredentials(client, { resource: 'https://api.example.com' });
    const response = await postForm(`${server.url}/introspect`, { token }, { authorization: gateway.basic, accept: 'application/token-introspection+jwt' });
    expect(response.headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { payload, protectedHeader } = await jwtVerify(response.text, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
      issuer: server.issuer,
      audience: 'api-gateway',
      typ: 'token-introspection+jwt',
      currentDate: new Date(clock.now()),
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.token_introspection).toMatchObject({ active: true, client_id: client.clientId, aud: 'https://api.example.com' });
  });
});
