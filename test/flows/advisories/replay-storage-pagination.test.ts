// Regression tests named after advisories in other OAuth servers (issue 9 item 9): client-assertion jti replay,
// storage errors reported as success, and pagination cursors trusted as input.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ENV, adminRequest } from '../../support/admin.js';
import { assertionParams, signAssertion } from '../../support/clients.js';
import { createTestClient, endpoints, issueUserTokens, postForm } from '../../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('Hydra CVE-2020-5300 and fosite CVE-2020-15222: a client assertion jti is single use', () => {
  let server: TestServer;
  let clientId: string;
  let secret: Uint8Array;
  beforeAll(async () => {
    server = await startTestServer({ env: ADMIN_ENV });
    const response = await adminRequest(server, 'POST', '/admin/clients', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_jwt' });
    const body = (await response.json()) as { client_id: string; client_secret: string };
    clientId = body.client_id;
    secret = new TextEncoder().encode(body.client_secret);
  });
  afterAll(async () => {
    await server?.close();
  });

  const token = (assertion: string): ReturnType<typeof postForm> => postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: clientId, ...assertionParams(assertion) });

  it('the same assertion twice at /token: the second is invalid_client and gets no token', async () => {
    const assertion = await signAssertion(secret, 'HS256', { clientId, audience: `${server.issuer}/token` });
    const first = await token(assertion);
    expect(first.status).toBe(200);
    const replay = await token(assertion);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'invalid_client' });
    expect(replay.body.access_token).toBeUndefined();
  });

  it('a new assertion reusing an old jti is refused too (the jti is what is single use, not the JWT text)', async () => {
    const jti = randomUUID();
    expect((await token(await signAssertion(secret, 'HS256', { clientId, audience: `${server.issuer}/token`, jti }))).status).toBe(200);
    const again = await token(await signAssertion(secret, 'HS256', { clientId, audience: `${server.issuer}/token`, jti, expiresIn: 120 }));
    expect(again.status).toBe(401);
  });

  it('racing the same assertion: exactly one of ten concurrent requests gets a token', async () => {
    const assertion = await signAssertion(secret, 'HS256', { clientId, audience: `${server.issuer}/token` });
    const results = await Promise.all(Array.from({ length: 10 }, () => token(assertion)));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
  });

  it('an assertion without a jti is refused (replay could not be detected)', async () => {
    expect((await token(await signAssertion(secret, 'HS256', { clientId, audience: `${server.issuer}/token`, jti: null }))).status).toBe(401);
  });
});

describe('fosite GHSA-7mqr-2v3q-v2wm: a storage error is never reported as success', () => {
  // Real faults: the table a step needs is dropped under the running server, through a second SQLite connection.
  // Each test gets its own server, since each breaks one.
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ env: ADMIN_ENV });
  });
  afterEach(async () => {
    await server?.close();
  });

  const breakTable = (table: string): void => {
    const db = new Database(server.config.databaseUrl.slice('sqlite:'.length));
    try {
      db.exec(`DROP TABLE ${table}`);
    } finally {
      db.close();
    }
  };

  it('refresh: when rotation cannot be stored, no new tokens are sent', async () => {
    const client = await createTestClient(server);
    const { refreshToken } = await issueUserTokens(server, client);
    const api = endpoints(server);
    breakTable('refresh_tokens');
    const result = await api.refresh(client, refreshToken);
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(result.body.access_token).toBeUndefined();
    expect(result.text).not.toMatch(/refresh_tokens|SQLITE|no such table/i);
  });

  it('revocation: when the token cannot be revoked, the answer is not 200 (RFC 7009 §2.2 success would be a lie)', async () => {
    const client = await createTestClient(server);
    const { accessToken } = await issueUserTokens(server, client);
    breakTable('access_tokens');
    const result = await endpoints(server).revoke(client, accessToken);
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(result.text).not.toMatch(/access_tokens|SQLITE|no such table/i);
  });

  it('client assertion: when the jti cannot be recorded, authentication fails (no token without replay protection)', async () => {
    const created = (await (await adminRequest(server, 'POST', '/admin/clients', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_jwt' })).json()) as { client_id: string; client_secret: string };
    breakTable('replay_records');
    const assertion = await signAssertion(new TextEncoder().encode(created.client_secret), 'HS256', { clientId: created.client_id, audience: `${server.issuer}/token` });
    const result = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: created.client_id, ...assertionParams(assertion) });
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(result.body.access_token).toBeUndefined();
  });

  it('audit: when the audit event cannot be written, the client change is rolled back and reported as failed', async () => {
    breakTable('audit_events');
    const before = (await server.server.deps.storage.clients.list({ limit: 1000 })).length;
    const response = await adminRequest(server, 'POST', '/admin/clients', { redirect_uris: ['https://app.example/cb'] });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect((await server.server.deps.storage.clients.list({ limit: 1000 })).length).toBe(before);
  });
});

describe('Hydra GHSA-r9w3-57w2-gch2: a pagination cursor is validated input, not trusted', () => {
  let server: TestServer;
  const ids: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ env: ADMIN_ENV });
    for (let i = 0; i < 5; i++) {
      const response = await adminRequest(server, 'POST', '/admin/clients', { redirect_uris: ['https://app.example/cb'] });
      ids.push(((await response.json()) as { client_id: string }).client_id);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  it('walking next_after visits every client exactly once', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const response = await adminRequest(server, 'GET', `/admin/clients?limit=2${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`);
      const body = (await response.json()) as { clients: { client_id: string }[]; next_after?: string };
      seen.push(...body.clients.map((client) => client.client_id));
      if (body.next_after === undefined) break;
      after = body.next_after;
    }
    expect(seen).toEqual([...ids].sort());
  });

  it.each(["' OR '1'='1", 'x'.repeat(256), 'a\u0000b', 'é', 'tab\there', ' '])('a forged cursor %j is invalid_request, not a query', async (cursor) => {
    const response = await adminRequest(server, 'GET', `/admin/clients?after=${encodeURIComponent(cursor)}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('the cursor carries no authority: it does not open the list without the admin token', async () => {
    const response = await fetch(`${server.server.adminUrl as string}/admin/clients?after=${ids[0] as string}`);
    expect(response.status).toBe(401);
  });
});
