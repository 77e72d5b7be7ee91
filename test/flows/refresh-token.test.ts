// Refresh tokens end to end over real HTTP: RFC 6749 §6 and RFC 9700 §4.14.2 (rotation, reuse detection, grace,
// lifetimes), RFC 8707 §2.2 (audience at refresh).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createTestClient, endpoints, issueUserTokens, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RESOURCES = JSON.stringify([
  { uri: 'https://api.example.com', scopes: ['read', 'write'] },
  { uri: 'https://billing.example.com' },
]);

describe('RFC 9700 §4.14.2: refresh token rotation and reuse detection (no grace window)', () => {
  let server: TestServer;
  let client: TestClient;
  let api: ReturnType<typeof endpoints>;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_RESOURCES: RESOURCES } });
    client = await createTestClient(server);
    api = endpoints(server);
  });
  afterAll(() => server.close());

  it('RFC 6749 §6: exchanges a refresh token for a new access token and a new refresh token', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    const response = await api.refresh(client, refreshToken);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'openid offline_access read write',
      refresh_token: expect.any(String),
    });
    expect(response.body.refresh_token).not.toBe(refreshToken);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('the old refresh token is dead after use', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    expect((await api.refresh(client, refreshToken)).status).toBe(200);
    const again = await api.refresh(client, refreshToken);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('reusing a rotated token revokes the whole family, including the access token issued alongside the new one', async () => {
    const first = await issueUserTokens(server, client);
    const rotated = await api.refresh(client, first.refreshToken);
    const { access_token: accessAlongside, refresh_token: successor } = rotated.body as Record<string, string>;
    expect((await api.introspect(client, String(accessAlongside))).body.active).toBe(true);

    const replay = await api.refresh(client, first.refreshToken);
    expect(replay.body.error).toBe('invalid_grant');

    expect((await api.introspect(client, String(accessAlongside))).body).toEqual({ active: false });
    expect((await api.introspect(client, first.accessToken)).body).toEqual({ active: false });
    expect((await api.introspect(client, String(successor))).body).toEqual({ active: false });
    expect((await api.refresh(client, String(successor))).body.error).toBe('invalid_grant');
    expect((await server.server.deps.storage.grants.find(first.grantId))?.revokedAt).toEqual(expect.any(Number));
  });

  it('a replay revokes the family whatever scope it asks for', async () => {
    const first = await issueUserTokens(server, client);
    const rotated = await api.refresh(client, first.refreshToken);
    const replay = await api.refresh(client, first.refreshToken, { scope: 'admin' });
    expect(replay.body.error).toBe('invalid_grant');
    expect((await api.refresh(client, String(rotated.body.refresh_token))).body.error).toBe('invalid_grant');
  });

  it('§6: the scope can be narrowed; the next refresh gets the original scope back', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    const narrowed = await api.refresh(client, refreshToken, { scope: 'read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('read');
    expect((await api.introspect(client, String(narrowed.body.access_token))).body.scope).toBe('read');
    const next = await api.refresh(client, String(narrowed.body.refresh_token));
    expect(next.body.scope).toBe('openid offline_access read write');
  });

  it('§6: widening the scope is invalid_scope, and the token stays usable', async () => {
    const { refreshToken } = await issueUserTokens(server, client, { scope: ['offline_access', 'read'] });
    const widened = await api.refresh(client, refreshToken, { scope: 'read write' });
    expect(widened.status).toBe(400);
    expect(widened.body.error).toBe('invalid_scope');
    expect((await api.refresh(client, refreshToken)).status).toBe(200);
  });

  it('§10.4: a refresh token is bound to its client: another client gets invalid_grant, and it stays usable', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    const other = await createTestClient(server);
    expect((await api.refresh(other, refreshToken)).body.error).toBe('invalid_grant');
    expect((await api.refresh(client, refreshToken)).status).toBe(200);
  });

  it('a revoked grant\'s refresh token is invalid_grant', async () => {
    const { refreshToken, grantId } = await issueUserTokens(server, client);
    await server.server.deps.storage.grants.revoke(grantId, Date.now());
    expect((await api.refresh(client, refreshToken)).body.error).toBe('invalid_grant');
  });

  it('an unknown refresh token is invalid_grant', async () => {
    expect((await api.refresh(client, 'not-a-token')).body.error).toBe('invalid_grant');
  });

  it('RFC 8707 §2.2: resource at refresh narrows the audience to one of the grant\'s resources; another is invalid_target', async () => {
    const { refreshToken } = await issueUserTokens(server, client, { resources: ['https://api.example.com'] });
    const elsewhere = await api.refresh(client, refreshToken, { resource: 'https://billing.example.com' });
    expect(elsewhere.body.error).toBe('invalid_target');
    const ok = await api.refresh(client, refreshToken, { resource: 'https://api.example.com' });
    expect(ok.status).toBe(200);
    expect(ok.body.scope).toBe('read write'); // the resource accepts only these
    expect((await api.introspect(client, String(ok.body.access_token))).body.aud).toBe('https://api.example.com');
  });
});

describe('RFC 9700 §4.14.2: the reuse grace window', () => {
  let server: TestServer;
  let client: TestClient;
  let api: ReturnType<typeof endpoints>;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    server = await startTestServer({ clock, env: { LATCHKEY_REFRESH_REUSE_GRACE_SECONDS: '10' } });
    client = await createTestClient(server);
    api = endpoints(server);
  });
  afterAll(() => server.close());

  it('a retry of the same old token within the window gets a valid answer and the family lives on', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    const first = await api.refresh(client, refreshToken);
    clock.advance(5_000);
    const retry = await api.refresh(client, refreshToken);
    expect(retry.status).toBe(200);
    expect(retry.body.refresh_token).not.toBe(first.body.refresh_token);
    // Both answers work: the first response may well have reached the other tab.
    expect((await api.introspect(client, String(first.body.access_token))).body.active).toBe(true);
    expect((await api.introspect(client, String(retry.body.access_token))).body.active).toBe(true);
    expect((await api.refresh(client, String(first.body.refresh_token))).status).toBe(200);
    expect((await api.refresh(client, String(retry.body.refresh_token))).status).toBe(200);
  });

  it('after the window, the same reuse revokes every branch of the family', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    const first = await api.refresh(client, refreshToken);
    clock.advance(2_000);
    const retry = await api.refresh(client, refreshToken);
    expect(retry.status).toBe(200);
    clock.advance(10_000); // 12 s after the rotation
    expect((await api.refresh(client, refreshToken)).body.error).toBe('invalid_grant');
    for (const token of [first.body.access_token, retry.body.access_token, first.body.refresh_token, retry.body.refresh_token]) {
      expect((await api.introspect(client, String(token))).body).toEqual({ active: false });
    }
  });
});

describe('RFC 9700 §4.14.2: idle and absolute refresh token lifetimes', () => {
  let server: TestServer;
  let client: TestClient;
  let api: ReturnType<typeof endpoints>;
  const clock = new ManualClock(Date.now());
  const HOUR = 3_600_000;
  beforeAll(async () => {
    server = await startTestServer({
      clock,
      env: { LATCHKEY_REFRESH_TOKEN_IDLE_SECONDS: '3600', LATCHKEY_REFRESH_TOKEN_ABSOLUTE_SECONDS: '9000' },
    });
    client = await createTestClient(server);
    api = endpoints(server);
  });
  afterAll(() => server.close());

  it('a token unused for longer than the idle lifetime has expired', async () => {
    const { refreshToken } = await issueUserTokens(server, client);
    clock.advance(HOUR + 1);
    const response = await api.refresh(client, refreshToken);
    expect(response.body.error).toBe('invalid_grant');
    expect((await api.introspect(client, refreshToken)).body).toEqual({ active: false });
  });

  it('each rotation restarts the idle period, but the family ends at the absolute lifetime', async () => {
    let { refreshToken } = await issueUserTokens(server, client);
    for (let step = 0; step < 2; step++) {
      clock.advance(HOUR - 1_000); // within idle every time: 59:59, 1:59:58
      const response = await api.refresh(client, refreshToken);
      expect(response.status).toBe(200);
      refreshToken = String(response.body.refresh_token);
    }
    // 2:29:58 since the family began: idle is fine, but the new token only lives until 2:30:00.
    const introspection = await api.introspect(client, refreshToken);
    expect(Number(introspection.body.exp) * 1000 - clock.now()).toBeLessThanOrEqual(30 * 60_000 + 2_000);
    clock.advance(30 * 60_000 + 3_000);
    expect((await api.refresh(client, refreshToken)).body.error).toBe('invalid_grant');
  });
});
