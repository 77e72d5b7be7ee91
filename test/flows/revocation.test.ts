// Token revocation end to end: RFC 7009 §2.1 (request, own tokens only, cascade), §2.2 (response), §2.2.1 (errors).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClient, endpoints, issueUserTokens, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let client: TestClient;
let other: TestClient;
let api: ReturnType<typeof endpoints>;

beforeAll(async () => {
  server = await startTestServer();
  client = await createTestClient(server, { accessTokenFormat: 'jwt' });
  other = await createTestClient(server);
  api = endpoints(server);
});
afterAll(() => server.close());

describe('RFC 7009 §2: token revocation', () => {
  it('revokes an access token: 200 with an empty body, and introspection then says inactive', async () => {
    const token = String((await api.token(client, { grant_type: 'client_credentials' })).body.access_token);
    const response = await api.revoke(client, token, { token_type_hint: 'access_token' });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await api.introspect(client, token)).body).toEqual({ active: false });
  });

  it('§2.1: revoking a refresh token revokes its grant: every access and refresh token issued under it', async () => {
    const first = await issueUserTokens(server, client);
    const rotated = await api.refresh(client, first.refreshToken);
    const refreshToken = String(rotated.body.refresh_token);
    expect((await api.revoke(client, refreshToken, { token_type_hint: 'refresh_token' })).status).toBe(200);
    expect((await api.introspect(client, String(rotated.body.access_token))).body).toEqual({ active: false });
    expect((await api.introspect(client, first.accessToken)).body).toEqual({ active: false });
    expect((await api.refresh(client, refreshToken)).body.error).toBe('invalid_grant');
  });

  it('revoking an access token leaves the refresh token and the grant alone', async () => {
    const { accessToken, refreshToken } = await issueUserTokens(server, client);
    await api.revoke(client, accessToken);
    expect((await api.refresh(client, refreshToken)).status).toBe(200);
  });

  it('Issue #10 §2: revoking an access token twice answers 200 both times, and the token.revoked event is recorded once, with the revocation', async () => {
    const now = Date.now();
    await server.server.deps.storage.users.create({ sub: 'user-revoker', username: 'revoker', emailVerified: false, profile: {}, disabled: false, createdAt: now, updatedAt: now });
    const { accessToken } = await issueUserTokens(server, client, { subject: 'user-revoker' });
    const events = async (): Promise<number> => (await server.server.deps.storage.audit.list({ type: 'token.revoked', clientId: client.clientId, limit: 1000 })).length;
    const before = await events();
    expect((await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    expect((await api.revoke(client, accessToken)).status).toBe(200);
    expect(await events()).toBe(before + 1);
    expect((await api.introspect(client, accessToken)).body).toEqual({ active: false });
    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(userinfo.status).toBe(401); // OIDC Core §5.3.3: a revoked token is refused at UserInfo too
    expect(userinfo.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await api.revoke(client, accessToken, { token_type_hint: 'access_token' })).status).toBe(200);
    expect(await events()).toBe(before + 1);
    expect((await api.revoke(other, accessToken)).body.error).toBe('invalid_request'); // still not another client's to revoke
  });

  it('§2.2: an unknown token answers 200', async () => {
    expect((await api.revoke(client, 'no-such-token')).status).toBe(200);
    expect((await api.revoke(client, 'a.b.c')).status).toBe(200);
  });

  it('§2.1: a client cannot revoke another client\'s token', async () => {
    const token = String((await api.token(client, { grant_type: 'client_credentials' })).body.access_token);
    const response = await api.revoke(other, token);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
    expect((await api.introspect(client, token)).body.active).toBe(true);
  });

  it('§2.2.1: a token_type_hint naming a type this server does not issue is unsupported_token_type', async () => {
    const response = await api.revoke(client, 'whatever', { token_type_hint: 'id_token' });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unsupported_token_type');
  });

  it('§2.1: a public client revokes its own tokens with just its client_id', async () => {
    const spa = await createTestClient(server, { authMethod: 'none' });
    const { refreshToken } = await issueUserTokens(server, spa);
    expect((await postForm(`${server.url}/revoke`, { token: refreshToken, client_id: spa.clientId })).status).toBe(200);
    expect((await postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: spa.clientId })).body.error).toBe('invalid_grant');
  });

  it('§2.1: the client must authenticate', async () => {
    const response = await postForm(`${server.url}/revoke`, { token: 'x' });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });
});
