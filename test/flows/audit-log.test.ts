// Issue 9 item 8: security events with who, what, when and from where; nothing secret; read with `latchkey audit`.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { USER_AGENT_MAX } from '../../src/protocol/audit/audit-event.js';
import { ADMIN_ENV, ADMIN_TOKEN, adminRequest } from '../support/admin.js';
import { authorizeOverHttp, codeRequest, createAuthorizationClient, createTestUser, PASSWORD } from '../support/authorization-fixtures.js';
import { exchangeCode, responseParams } from '../support/authorization-fixtures.js';
import { hiddenField, HttpAgent } from '../support/http-agent.js';
import { createTestClient, endpoints, issueUserTokens } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
const secrets: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { ...ADMIN_ENV, LATCHKEY_REGISTRATION: 'open', LATCHKEY_MASTER_KEY: 'x'.repeat(43) } });
});
afterAll(async () => {
  await server?.close();
});

async function latchkey(argv: readonly string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    stdin: Readable.from([]),
    env: { LATCHKEY_LOG_LEVEL: 'silent', LATCHKEY_DATA_DIR: server.dataDir, LATCHKEY_DATABASE_URL: server.config.databaseUrl, LATCHKEY_MASTER_KEY: 'x'.repeat(43) },
    interactive: false,
  };
  return { code: await run(argv, io), stdout, stderr };
}

describe('issue 9 item 8: the audit log', () => {
  let clientId: string;

  it('records client created, updated, secret rotated and deleted through the admin API, with actor, IP and user agent', async () => {
    const created = await adminRequest(server, 'POST', '/admin/clients', { redirect_uris: ['https://app.example/cb'] });
    const body = (await created.json()) as { client_id: string; client_secret: string };
    clientId = body.client_id;
    secrets.push(body.client_secret);
    await adminRequest(server, 'PUT', `/admin/clients/${clientId}`, { redirect_uris: ['https://app.example/cb2'] });
    const rotated = (await (await adminRequest(server, 'POST', `/admin/clients/${clientId}/rotate-secret`)).json()) as { client_secret: string };
    secrets.push(rotated.client_secret);
    const token = (await (await adminRequest(server, 'POST', '/admin/registration-tokens', {})).json()) as { initial_access_token: string };
    secrets.push(token.initial_access_token);
    await adminRequest(server, 'DELETE', `/admin/clients/${clientId}`);

    const events = await server.server.deps.storage.audit.list({ clientId });
    expect(events.map((event) => event.type)).toEqual(['client.deleted', 'client.secret_rotated', 'client.updated', 'client.created']);
    for (const event of events) expect(event).toMatchObject({ actor: 'admin-api', ip: '127.0.0.1', clientId });
    expect(events.at(-1)?.details).toMatchObject({ auth_method: 'client_secret_basic', redirect_uris: 1 });
    expect((await server.server.deps.storage.audit.list({ type: 'registration_token.created' })).length).toBe(1);
  });

  it('records dynamic registration and self-management from where it came, with the user agent truncated', async () => {
    const userAgent = `evil\u00e9agent ${'u'.repeat(500)}`;
    const response = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent },
      body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }),
    });
    const info = (await response.json()) as { client_id: string; client_secret: string; registration_access_token: string; registration_client_uri: string };
    secrets.push(info.client_secret, info.registration_access_token);
    await fetch(info.registration_client_uri, { method: 'DELETE', headers: { authorization: `Bearer ${info.registration_access_token}` } });
    const events = await server.server.deps.storage.audit.list({ clientId: info.client_id });
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['client.deleted', `client:${info.client_id}`],
      ['client.created', 'registration'],
    ]);
    const ua = events[1]?.userAgent ?? '';
    expect(ua.length).toBe(USER_AGENT_MAX);
    expect(ua).toMatch(/^evil\?agent u+$/); // non-printable characters replaced
  });

  it('holds nothing secret: no client secret, registration or initial access token, admin token or master key', async () => {
    const all = JSON.stringify(await server.server.deps.storage.audit.list({ limit: 1000 }));
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of [...secrets, ADMIN_TOKEN, 'x'.repeat(43)]) expect(all).not.toContain(secret);
  });

  it('a change and its audit event are one transaction: a client that cannot be deleted leaves no event', async () => {
    const before = (await server.server.deps.storage.audit.list({ limit: 1000 })).length;
    expect((await adminRequest(server, 'DELETE', '/admin/clients/no-such-client')).status).toBe(404);
    expect((await server.server.deps.storage.audit.list({ limit: 1000 })).length).toBe(before);
  });

  it('`latchkey audit` lists and filters (--type, --client, --since, --json); the CLI records its own actions', async () => {
    const created = await latchkey(['client', 'create', '--redirect-uri', 'https://cli.example/cb', '--json']);
    expect(created.code).toBe(0);
    const cliClient = (JSON.parse(created.stdout.join('\n')) as { client_id: string }).client_id;

    const json = await latchkey(['audit', '--client', cliClient, '--json']);
    expect(json.code).toBe(0);
    const events = JSON.parse(json.stdout.join('\n')) as { type: string; actor: string; at: string }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'client.created', actor: expect.stringMatching(/^cli:/) });

    const byType = await latchkey(['audit', '--type', 'client.deleted']);
    expect(byType.stdout).toHaveLength(2);
    expect(byType.stdout.every((line) => line.includes('client.deleted'))).toBe(true);
    expect((await latchkey(['audit', '--since', '2099-01-01T00:00:00Z'])).stdout).toEqual(['no audit events match']);
    expect((await latchkey(['audit', '--since', '1h'])).stdout.length).toBeGreaterThan(5);
    expect((await latchkey(['audit', '--type', 'nope'])).code).toBe(2);
    expect((await latchkey(['audit', '--since', 'yesterday'])).code).toBe(2);
  });

  it('records refresh token reuse (RFC 9700 §4.14.2) with the client and the revoked grant', async () => {
    const client = await createTestClient(server);
    const { refreshToken, grantId } = await issueUserTokens(server, client);
    secrets.push(refreshToken);
    const api = endpoints(server);
    expect((await api.refresh(client, refreshToken)).status).toBe(200);
    expect((await api.refresh(client, refreshToken)).status).toBe(400);
    const events = await server.server.deps.storage.audit.list({ type: 'refresh_token.reuse_detected', clientId: client.clientId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: `client:${client.clientId}`, details: { grant_id: grantId } });
    expect(JSON.stringify(events)).not.toContain(refreshToken);
  });

  it('records login failure and success with the user agent and IP, never the password or the identifier typed', async () => {
    const user = await createTestUser(server, 'audited');
    const client = await createAuthorizationClient(server);
    const agent = new HttpAgent(server.url);
    await authorizeOverHttp(agent, codeRequest(client).path, { username: 'audited', password: 'not-the-password' });
    await authorizeOverHttp(new HttpAgent(server.url), codeRequest(client).path, { username: 'audited' });
    const failed = await server.server.deps.storage.audit.list({ type: 'login.failed', clientId: client.clientId });
    const succeeded = await server.server.deps.storage.audit.list({ type: 'login.succeeded', clientId: client.clientId });
    expect(failed[0]).toMatchObject({ actor: 'anonymous', subject: user.sub, ip: '127.0.0.1', details: { reason: 'wrong_password' } });
    expect(succeeded[0]).toMatchObject({ actor: `user:${user.sub}`, subject: user.sub, ip: '127.0.0.1' });
    const all = JSON.stringify(await server.server.deps.storage.audit.list({ limit: 1000 }));
    expect(all).not.toContain('not-the-password');
    expect(all).not.toContain(PASSWORD);
  });

  it('Issue #9 §8: token issued (client_credentials) with grant type, client and token kinds, from where; never the token', async () => {
    const client = await createTestClient(server);
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic, 'user-agent': 'cc-bench/1' },
      body: 'grant_type=client_credentials&scope=read',
    });
    expect(response.status).toBe(200);
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    secrets.push(accessToken, client.secret);
    const events = await server.server.deps.storage.audit.list({ type: 'token.issued', clientId: client.clientId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: `client:${client.clientId}`, ip: '127.0.0.1', userAgent: 'cc-bench/1', details: { grant_type: 'client_credentials', issued: 'access_token', format: 'opaque', scope: 'read' } });
    expect(events[0]?.subject).toBeUndefined();
    expect(JSON.stringify(events)).not.toContain(accessToken);

    const cli = await latchkey(['audit', '--type', 'token.issued', '--client', client.clientId, '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout.join('\n'))).toEqual([expect.objectContaining({ type: 'token.issued', client_id: client.clientId, details: expect.objectContaining({ grant_type: 'client_credentials' }) })]);
  });

  it('Issue #9 §8: consent given, tokens issued by code and refresh, revocation by the client, and logout, each with who and from where', async () => {
    const user = await createTestUser(server, 'consenting');
    const client = await createAuthorizationClient(server, { policy: { alwaysIssueRefreshToken: true } });
    const agent = new HttpAgent(server.url);
    const request = codeRequest(client);
    const redirect = await authorizeOverHttp(agent, request.path, { username: 'consenting' });
    const code = responseParams(redirect.headers.get('location') as string).get('code') as string;
    const consent = await server.server.deps.storage.audit.list({ type: 'consent.given', clientId: client.clientId });
    expect(consent).toHaveLength(1);
    expect(consent[0]).toMatchObject({ actor: `user:${user.sub}`, subject: user.sub, ip: '127.0.0.1', details: { scope: 'openid profile email' } });

    const tokens = (await (await exchangeCode(server, client, code, request.pkce.verifier)).json()) as { access_token: string; refresh_token: string; id_token: string };
    const refreshed = await endpoints(server).refresh(client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const newRefresh = refreshed.body.refresh_token as string;
    secrets.push(code, tokens.access_token, tokens.refresh_token, tokens.id_token, newRefresh, refreshed.body.access_token as string);
    const issued = await server.server.deps.storage.audit.list({ type: 'token.issued', clientId: client.clientId });
    expect(issued.map((event) => [event.details.grant_type, event.details.issued])).toEqual([
      ['refresh_token', 'access_token refresh_token'],
      ['authorization_code', 'access_token refresh_token id_token'],
    ]);
    for (const event of issued) expect(event).toMatchObject({ actor: `client:${client.clientId}`, subject: user.sub, ip: '127.0.0.1' });

    expect((await endpoints(server).revoke(client, newRefresh)).status).toBe(200);
    const revoked = await server.server.deps.storage.audit.list({ type: 'token.revoked', clientId: client.clientId });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ actor: `client:${client.clientId}`, subject: user.sub, ip: '127.0.0.1', details: { revoked_by: 'client', kind: 'refresh_token' } });

    const logout = await agent.get(`/logout?id_token_hint=${encodeURIComponent(tokens.id_token)}`);
    expect(logout.status).toBe(200);
    const ended = await server.server.deps.storage.audit.list({ type: 'session.ended', limit: 1000 });
    expect(ended.filter((event) => event.subject === user.sub)).toEqual([expect.objectContaining({ actor: `user:${user.sub}`, ip: '127.0.0.1', details: expect.objectContaining({ reason: 'logout' }) })]);
  });

  it('Issue #9 §8: revocation by the user (connected apps) records consent revoked and tokens revoked by the user', async () => {
    const user = await createTestUser(server, 'revoking');
    const client = await createAuthorizationClient(server);
    const agent = new HttpAgent(server.url);
    const request = codeRequest(client);
    const redirect = await authorizeOverHttp(agent, request.path, { username: 'revoking' });
    const code = responseParams(redirect.headers.get('location') as string).get('code') as string;
    expect((await exchangeCode(server, client, code, request.pkce.verifier)).status).toBe(200);
    const csrf = hiddenField(await (await agent.get('/account')).text(), 'csrf_token') as string;
    expect((await agent.post('/account/apps/revoke', { csrf_token: csrf, client_id: client.clientId })).status).toBe(303);
    const byUser = (await server.server.deps.storage.audit.list({ clientId: client.clientId })).filter((event) => event.type === 'consent.revoked' || event.type === 'token.revoked');
    expect(byUser.map((event) => event.type).sort()).toEqual(['consent.revoked', 'token.revoked']);
    for (const event of byUser) expect(event).toMatchObject({ actor: `user:${user.sub}`, subject: user.sub, ip: '127.0.0.1' });
    expect(byUser.find((event) => event.type === 'token.revoked')?.details).toMatchObject({ revoked_by: 'user', grants: 1 });

    const cli = await latchkey(['audit', '--type', 'consent.revoked', '--client', client.clientId]);
    expect(cli.stdout).toHaveLength(1);
    expect(cli.stdout[0]).toContain('consent.revoked');
  });

  it('Issue #9 §8: nothing secret after the token, consent, revocation and logout events either', async () => {
    const all = JSON.stringify(await server.server.deps.storage.audit.list({ limit: 1000 }));
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});

describe('Issue #9 §8: LATCHKEY_AUDIT_TOKEN_ISSUED=user leaves machine tokens out of the audit log', () => {
  it('a client_credentials token is issued without an event; a token for a person still has one', async () => {
    const quiet = await startTestServer({ env: { LATCHKEY_AUDIT_TOKEN_ISSUED: 'user' } });
    try {
      const client = await createTestClient(quiet);
      expect((await endpoints(quiet).token(client, { grant_type: 'client_credentials' })).status).toBe(200);
      const { refreshToken } = await issueUserTokens(quiet, client);
      expect((await endpoints(quiet).refresh(client, refreshToken)).status).toBe(200);
      const events = await quiet.server.deps.storage.audit.list({ type: 'token.issued', clientId: client.clientId });
      expect(events.map((event) => event.details.grant_type)).toEqual(['refresh_token', 'authorization_code']); // no client_credentials
    } finally {
      await quiet.close();
    }
  });
});
