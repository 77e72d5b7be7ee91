// The admin API over real HTTP: its own listener, the admin token, client CRUD and rotation, the OpenAPI document.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecretMatches } from '../../src/protocol/clients/client-secrets.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ADMIN_ENV, ADMIN_TOKEN, adminRequest } from '../support/admin.js';

describe('admin API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...ADMIN_ENV, LATCHKEY_REGISTRATION: 'token' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on its own loopback port, apart from the public server', async () => {
    expect(server.server.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.server.adminUrl).not.toBe(server.url);
    expect((await fetch(`${server.url}/admin/clients`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
  });

  it('refuses a missing or wrong admin token with 401 and a Bearer challenge', async () => {
    for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`, `Bearer ${ADMIN_TOKEN.slice(1)}`, `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`]) {
      const response = await fetch(`${server.server.adminUrl}/admin/clients`, { headers: authorization === undefined ? {} : { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(((await response.json()) as Record<string, string>).error).toBe('invalid_token');
    }
  });

  it('creates, lists, shows, updates, rotates and deletes a client', async () => {
    const created = await adminRequest(server, 'POST', '/admin/clients', {
      client_name: 'Admin-made',
      redirect_uris: ['https://app.example/cb'],
      grant_types: ['authorization_code', 'client_credentials'],
      policy: { access_token_format: 'opaque', skip_consent: true },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const client = (await created.json()) as Record<string, unknown>;
    expect(client).toMatchObject({ client_name: 'Admin-made', policy: { access_token_format: 'opaque', skip_consent: true, allowed_legacy_grants: [] }, dynamically_registered: false });
    const clientId = client.client_id as string;
    const secret = client.client_secret as string;

    const list = (await (await adminRequest(server, 'GET', '/admin/clients')).json()) as { clients: Record<string, unknown>[] };
    expect(list.clients.map((c) => c.client_id)).toContain(clientId);
    expect(list.clients.every((c) => c.client_secret === undefined)).toBe(true);

    const shown = (await (await adminRequest(server, 'GET', `/admin/clients/${clientId}`)).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ client_id: clientId, client_name: 'Admin-made' });
    expect(shown.client_secret).toBeUndefined();

    const updated = await adminRequest(server, 'PUT', `/admin/clients/${clientId}`, { redirect_uris: ['https://app.example/other'], grant_types: ['authorization_code'] });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ redirect_uris: ['https://app.example/other'], policy: { access_token_format: 'opaque' } }); // policy kept

    const rotated = await adminRequest(server, 'POST', `/admin/clients/${clientId}/rotate-secret`, { grace_seconds: 3600 });
    expect(rotated.status).toBe(200);
    const rotatedBody = (await rotated.json()) as Record<string, unknown>;
    expect(rotatedBody.client_secret).not.toBe(secret);
    expect(typeof rotatedBody.previous_secret_expires_at).toBe('number');
    const stored = await server.server.deps.storage.clients.find(clientId);
    expect(stored && clientSecretMatches(stored, secret, Date.now())).toBe(true); // in its grace period
    expect(stored && clientSecretMatches(stored, rotatedBody.client_secret as string, Date.now())).toBe(true);

    expect((await adminRequest(server, 'DELETE', `/admin/clients/${clientId}`)).status).toBe(204);
    const gone = await adminRequest(server, 'GET', `/admin/clients/${clientId}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as Record<string, string>).error).toBe('not_found');
  });

  it('invalid metadata is 400 with the named error, and nothing is stored', async () => {
    const before = ((await (await adminRequest(server, 'GET', '/admin/clients')).json()) as { clients: unknown[] }).clients.length;
    const response = await adminRequest(server, 'POST', '/admin/clients', { redirect_uris: ['https://app.example/cb#fragment'] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_redirect_uri', error_description: expect.stringContaining('redirect_uris') });
    const after = ((await (await adminRequest(server, 'GET', '/admin/clients')).json()) as { clients: unknown[] }).clients.length;
    expect(after).toBe(before);
  });

  it('pages the client list with after and limit', async () => {
    for (let i = 0; i < 3; i++) await adminRequest(server, 'POST', '/admin/clients', { grant_types: ['client_credentials'] });
    const first = (await (await adminRequest(server, 'GET', '/admin/clients?limit=2')).json()) as { clients: { client_id: string }[]; next_after?: string };
    expect(first.clients).toHaveLength(2);
    expect(first.next_after).toBe(first.clients[1]?.client_id);
    const second = (await (await adminRequest(server, 'GET', `/admin/clients?limit=2&after=${first.next_after as string}`)).json()) as { clients: { client_id: string }[] };
    expect((second.clients[0]?.client_id ?? '') > (first.next_after as string)).toBe(true);
    expect((await adminRequest(server, 'GET', '/admin/clients?limit=0')).status).toBe(400);
  });

  it('makes initial access tokens that POST /register accepts', async () => {
    const made = await adminRequest(server, 'POST', '/admin/registration-tokens', { expires_in: 300 });
    expect(made.status).toBe(201);
    const { initial_access_token: token } = (await made.json()) as { initial_access_token: string };
    const registered = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }),
    });
    expect(registered.status).toBe(201);
  });

  it('serves its OpenAPI 3.1 document, identical to the committed docs/admin-openapi.json', async () => {
    const response = await fetch(`${server.server.adminUrl}/admin/openapi.json`); // public: it holds no secret
    expect(response.status).toBe(200);
    const served = (await response.json()) as Record<string, unknown>;
    expect(served.openapi).toBe('3.1.0');
    const committed = JSON.parse(readFileSync(new URL('../../docs/admin-openapi.json', import.meta.url), 'utf8')) as unknown;
    // On a mismatch: npm run build && node scripts/write-admin-openapi.mjs
    expect(served).toEqual(committed);
  });
});

describe('admin API lifecycle', () => {
  it('is off without LATCHKEY_ADMIN_PORT, and closes with the server', async () => {
    const plain = await startTestServer();
    expect(plain.server.adminUrl).toBeUndefined();
    await plain.close();

    const withAdmin = await startTestServer({ env: ADMIN_ENV });
    const adminUrl = withAdmin.server.adminUrl as string;
    expect((await fetch(`${adminUrl}/admin/openapi.json`)).status).toBe(200);
    await withAdmin.close();
    await expect(fetch(`${adminUrl}/admin/openapi.json`)).rejects.toThrow();
  });
});
