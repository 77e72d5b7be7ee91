// Dynamic client registration end to end over real HTTP: RFC 7591 §3 (POST /register) and RFC 7592 §2
// (read, update, delete with the registration access token), in the off, open and token modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { hashSecret } from '../../src/lib/hash.js';
import { systemRandom } from '../../src/lib/random.js';
import { createInitialAccessToken } from '../../src/protocol/registration/initial-access-tokens.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const METADATA = { client_name: 'Dynamic', redirect_uris: ['https://app.example/cb'], grant_types: ['authorization_code', 'refresh_token'] };

async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function discovery(server: TestServer): Promise<Record<string, unknown>> {
  return (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
}

describe('LATCHKEY_REGISTRATION=open', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('RFC 8414 §2: discovery advertises registration_endpoint and the client authentication methods', async () => {
    const metadata = await discovery(server);
    expect(metadata.registration_endpoint).toBe(`${server.issuer}/register`);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']);
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256']);
  });

  it('RFC 7591 §3.2.1 and RFC 7592 §2: a client registers, then reads, updates and deletes itself with its registration access token', async () => {
    const created = await post(server, METADATA);
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const info = (await created.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ ...METADATA, response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', client_secret_expires_at: 0 });
    expect(typeof info.client_id).toBe('string');
    expect(info.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(typeof info.client_id_issued_at).toBe('number');
    expect(info.registration_client_uri).toBe(`${server.issuer}/register/${info.client_id as string}`);
    const token = info.registration_access_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await server.server.deps.storage.clients.find(info.client_id as string))).not.toContain(token); // stored hashed

    const uri = info.registration_client_uri as string;
    const read = await fetch(uri, { headers: bearer(token) });
    expect(read.status).toBe(200);
    const readInfo = (await read.json()) as Record<string, unknown>;
    expect(readInfo).toMatchObject({ client_id: info.client_id, client_name: 'Dynamic', registration_access_token: token, registration_client_uri: uri });
    expect(readInfo.client_secret).toBeUndefined(); // shown once

    const update = await fetch(uri, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ ...readInfo, client_name: 'Renamed', redirect_uris: ['https://app.example/cb2'] }),
    });
    expect(update.status).toBe(200);
    expect(await update.json()).toMatchObject({ client_id: info.client_id, client_name: 'Renamed', redirect_uris: ['https://app.example/cb2'] });
    // the secret survives the update: it still authenticates
    const stored = await server.server.deps.storage.clients.find(info.client_id as string);
    expect(stored?.metadata.client_name).toBe('Renamed');
    expect(stored?.secretHash).toBeDefined();

    const deleted = await fetch(uri, { method: 'DELETE', headers: bearer(token) });
    expect(deleted.status).toBe(204);
    const after = await fetch(uri, { headers: bearer(token) });
    expect(after.status).toBe(401); // RFC 7592 §2.1: the client is gone, and so is its token
    expect(await server.server.deps.storage.clients.find(info.client_id as string)).toBeUndefined();
  });

  it('RFC 7592 §2: a wrong or missing registration access token is 401 invalid_token with a Bearer challenge', async () => {
    const info = (await (await post(server, METADATA)).json()) as Record<string, string>;
    const uri = info.registration_client_uri as string;
    for (const headers of [{}, bearer('wrong-token'), { authorization: 'Basic abc' }]) {
      const response = await fetch(uri, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(((await response.json()) as Record<string, string>).error).toBe('invalid_token');
    }
    const otherClient = await fetch(`${server.url}/register/not-a-client`, { headers: bearer(info.registration_access_token as string) });
    expect(otherClient.status).toBe(401);
  });

  it('RFC 7592 §2.2: an update must name the client and cannot choose a new secret', async () => {
    const info = (await (await post(server, METADATA)).json()) as Record<string, string>;
    const put = (body: unknown) =>
      fetch(info.registration_client_uri as string, { method: 'PUT', headers: { ...bearer(info.registration_access_token as string), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ ...METADATA })).status).toBe(400);
    const chosen = await put({ ...METADATA, client_id: info.client_id, client_secret: 'my-own-weak-secret' });
    expect(chosen.status).toBe(400);
    expect(((await chosen.json()) as Record<string, string>).error).toBe('invalid_client_metadata');
    expect((await put({ ...METADATA, client_id: info.client_id, client_secret: info.client_secret })).status).toBe(200);
  });

  it('RFC 7591 §3.2.2: invalid metadata gets the named error and stores nothing', async () => {
    const before = (await server.server.deps.storage.clients.list({ limit: 1000 })).length;
    const badRedirect = await post(server, { redirect_uris: ['http://app.example/cb'] });
    expect(badRedirect.status).toBe(400);
    expect(await badRedirect.json()).toMatchObject({ error: 'invalid_redirect_uri', error_description: expect.stringContaining('redirect_uris') });
    const badMetadata = await post(server, { ...METADATA, token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] });
    expect(await badMetadata.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('grant_types') });
    expect((await server.server.deps.storage.clients.list({ limit: 1000 })).length).toBe(before);
  });

  it('a dynamically registered client cannot give itself a legacy grant or a policy', async () => {
    const legacy = await post(server, { ...METADATA, grant_types: ['implicit'], response_types: ['token'], policy: { allowed_legacy_grants: ['implicit'] } });
    expect(await legacy.json()).toMatchObject({ error: 'invalid_client_metadata' });
    const withPolicy = (await (await post(server, { ...METADATA, policy: { skip_consent: true } })).json()) as Record<string, string>;
    expect((await server.server.deps.storage.clients.find(withPolicy.client_id as string))?.policy).toEqual({ accessTokenFormat: 'jwt', allowedLegacyGrants: [] });
  });

  it('RFC 7591 §3.2.2: software statements are refused clearly', async () => {
    const unapproved = await post(server, { ...METADATA, software_statement: 'eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IngifQ.c2ln' });
    expect(await unapproved.json()).toMatchObject({ error: 'unapproved_software_statement' });
    const malformed = await post(server, { ...METADATA, software_statement: 'not a jwt' });
    expect(await malformed.json()).toMatchObject({ error: 'invalid_software_statement' });
  });

  it('RFC 7591 §3.1: only JSON is accepted (415), and the body is bounded (413)', async () => {
    const form = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'redirect_uris=https://app.example/cb' });
    expect(form.status).toBe(415);
    expect(((await form.json()) as Record<string, string>).error).toBe('unsupported_media_type');
    const huge = await post(server, { ...METADATA, client_name: 'x'.repeat(40_000) });
    expect(huge.status).toBe(413);
    const broken = await post(server, '{"redirect_uris": [');
    expect(broken.status).toBe(400);
  });
});

describe('LATCHKEY_REGISTRATION=token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'token' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('RFC 7591 §3: registration without a valid initial access token is 401 and stores nothing', async () => {
    for (const headers of [{}, bearer('not-a-real-token')]) {
      const response = await post(server, METADATA, headers);
      expect(response.status).toBe(401);
      expect(((await response.json()) as Record<string, string>).error).toBe('invalid_token');
    }
    expect(await server.server.deps.storage.clients.list()).toEqual([]);
  });

  it('an expired initial access token is refused', async () => {
    const deps = server.server.deps;
    const past = { now: () => systemClock.now() - 7_200_000 };
    const { token } = await createInitialAccessToken(3600, { storage: deps.storage, clock: past, random: systemRandom });
    expect((await post(server, METADATA, bearer(token))).status).toBe(401);
  });

  it('registration with an initial access token from the registry succeeds, and the token can be reused until it expires', async () => {
    const deps = server.server.deps;
    const { token } = await createInitialAccessToken(600, deps);
    const first = await post(server, METADATA, bearer(token));
    expect(first.status).toBe(201);
    expect((await post(server, METADATA, bearer(token))).status).toBe(201);
    expect(await deps.storage.initialAccessTokens.find(token)).toBeUndefined(); // stored only as a hash
    expect(await deps.storage.initialAccessTokens.find(hashSecret(token))).toBeDefined();
  });
});

describe('LATCHKEY_REGISTRATION=off (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the endpoint is absent (404) and not in discovery', async () => {
    expect((await post(server, METADATA)).status).toBe(404);
    expect((await fetch(`${server.url}/register/anything`)).status).toBe(404);
    expect(await discovery(server)).not.toHaveProperty('registration_endpoint');
  });
});

describePostgres('PostgreSQL: LATCHKEY_REGISTRATION=token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ databaseUrl: await createPostgresDatabase(), env: { LATCHKEY_REGISTRATION: 'token' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('RFC 7591 §3 and RFC 7592 §2: register with an initial access token, then read, update and delete', async () => {
    expect((await post(server, METADATA)).status).toBe(401);
    const { token } = await createInitialAccessToken(600, server.server.deps);
    const info = (await (await post(server, METADATA, bearer(token))).json()) as Record<string, string>;
    const uri = info.registration_client_uri as string;
    const rat = bearer(info.registration_access_token as string);
    expect((await fetch(uri, { headers: rat })).status).toBe(200);
    const update = await fetch(uri, { method: 'PUT', headers: { ...rat, 'content-type': 'application/json' }, body: JSON.stringify({ ...METADATA, client_id: info.client_id, client_name: 'PG' }) });
    expect(await update.json()).toMatchObject({ client_name: 'PG' });
    expect((await fetch(uri, { method: 'DELETE', headers: rat })).status).toBe(204);
    expect((await fetch(uri, { headers: rat })).status).toBe(401);
  });
});
