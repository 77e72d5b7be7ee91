// Client credentials end to end over real HTTP: RFC 6749 §4.4, token endpoint hygiene (§3.2, §5.1, §5.2), RFC 8707.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientSecret } from '../../src/protocol/clients/client-secrets.js';
import { assertionParams, clientKeyPair, signAssertion } from '../support/clients.js';
import { createTestClient, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RESOURCES = JSON.stringify([
  { uri: 'https://api.example.com', scopes: ['read'], accessTokenFormat: 'jwt', accessTokenTtlSeconds: 120 },
  { uri: 'https://billing.example.com' },
]);

let server: TestServer;
let basic: TestClient;
let post: TestClient;

beforeAll(async () => {
  server = await startTestServer({ env: { LATCHKEY_RESOURCES: RESOURCES } });
  basic = await createTestClient(server, { authMethod: 'client_secret_basic', scope: 'read write' });
  post = await createTestClient(server, { authMethod: 'client_secret_post', scope: 'read' });
});
afterAll(() => server.close());

const token = (params: Record<string, string>, headers: Record<string, string> = {}) => postForm(`${server.url}/token`, params, headers);

describe('RFC 6749 §4.4: client credentials grant', () => {
  it('issues an access token to a client authenticating with client_secret_basic', async () => {
    const response = await token({ grant_type: 'client_credentials', scope: 'read' }, { authorization: basic.basic });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: 'read' });
  });

  it('issues an access token to a client authenticating with client_secret_post', async () => {
    const response = await token({ grant_type: 'client_credentials', client_id: post.clientId, client_secret: post.secret });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', scope: 'read' });
  });

  it('§3.3: an omitted scope means every scope the client is registered for', async () => {
    const response = await token({ grant_type: 'client_credentials' }, { authorization: basic.basic });
    expect(response.body.scope).toBe('read write');
  });

  it('§4.4.3: never issues a refresh token', async () => {
    const response = await token({ grant_type: 'client_credentials' }, { authorization: basic.basic });
    expect(response.body).not.toHaveProperty('refresh_token');
  });

  it('§5.2: a scope beyond the client\'s registered scope is invalid_scope', async () => {
    const response = await token({ grant_type: 'client_credentials', scope: 'read admin' }, { authorization: basic.basic });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_scope');
  });

  it('§4.4: a public client may not use it (unauthorized_client)', async () => {
    const spa = await createTestClient(server, { authMethod: 'none' });
    const response = await token({ grant_type: 'client_credentials', client_id: spa.clientId });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('§5.2: a client not registered for the grant type is unauthorized_client', async () => {
    const other = await createTestClient(server, { grantTypes: ['authorization_code'] });
    const response = await token({ grant_type: 'client_credentials' }, { authorization: other.basic });
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('§5.2: a wrong secret is invalid_client with 401 and WWW-Authenticate', async () => {
    const response = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${basic.clientId}:wrong`).toString('base64')}` });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
  });
});

describe('RFC 8707 §2: resource indicators at the token endpoint', () => {
  it('sets aud to the resource, applies its token format and lifetime, and keeps only the scopes it accepts', async () => {
    const response = await token({ grant_type: 'client_credentials', scope: 'read write', resource: 'https://api.example.com' }, { authorization: basic.basic });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ scope: 'read', expires_in: 120 });
    const jwt = String(response.body.access_token);
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({ aud: 'https://api.example.com', scope: 'read', sub: basic.clientId, client_id: basic.clientId });
  });

  it('an unknown resource is invalid_target', async () => {
    const response = await token({ grant_type: 'client_credentials', resource: 'https://elsewhere.example.com' }, { authorization: basic.basic });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_target');
  });

  it('without a resource the token is for the default audience (the issuer)', async () => {
    const response = await token({ grant_type: 'client_credentials' }, { authorization: basic.basic });
    const introspection = await postForm(`${server.url}/introspect`, { token: String(response.body.access_token) }, { authorization: basic.basic });
    expect(introspection.body.aud).toBe(server.issuer);
  });
});

describe('RFC 6749 §3.2 and §5.1: token endpoint hygiene', () => {
  it('answers every response, success or error, with Cache-Control: no-store and Pragma: no-cache', async () => {
    const ok = await token({ grant_type: 'client_credentials' }, { authorization: basic.basic });
    const failed = await token({ grant_type: 'client_credentials', scope: 'admin' }, { authorization: basic.basic });
    for (const response of [ok, failed]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
    }
  });

  it('allows POST only: GET is 405 with Allow: POST', async () => {
    const response = await fetch(`${server.url}/token?grant_type=client_credentials`, { headers: { authorization: basic.basic } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts application/x-www-form-urlencoded only: JSON is 415', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: basic.basic, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toBe('unsupported_media_type');
  });

  it('a body without a content type is invalid_request', async () => {
    const response = await fetch(`${server.url}/token`, { method: 'POST', headers: { authorization: basic.basic } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses a repeated parameter with invalid_request', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: basic.basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=read&scope=write',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('an unknown grant_type is unsupported_grant_type', async () => {
    const response = await token({ grant_type: 'urn:example:unknown' }, { authorization: basic.basic });
    expect(response.body.error).toBe('unsupported_grant_type');
  });
});

describe('RFC 8414 §2: discovery lists the token, introspection and revocation endpoints', () => {
  it('with their client authentication methods and the grant types', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      token_endpoint: `${server.issuer}/token`,
      introspection_endpoint: `${server.issuer}/introspect`,
      revocation_endpoint: `${server.issuer}/revoke`,
      token_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
      introspection_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
      revocation_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
      grant_types_supported: expect.arrayContaining(['client_credentials', 'refresh_token']),
    });
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none');
  });
});

describe('RFC 7523 §2.2: client_credentials and introspection with JWT client assertions', () => {
  it('private_key_jwt and client_secret_jwt get tokens at /token, and introspect with an assertion for /introspect', async () => {
    const { deps } = server.server;
    const now = deps.clock.now();
    const key = await clientKeyPair('ES256');
    const base = { redirect_uris: [], grant_types: ['client_credentials'], response_types: [], scope: 'read' };
    const policy = { accessTokenFormat: 'opaque' as const, allowedLegacyGrants: [] };
    const keyed = { clientId: 'keyed-service', metadata: { ...base, token_endpoint_auth_method: 'private_key_jwt' as const, jwks: { keys: [key.publicJwk] } }, policy, createdAt: now, updatedAt: now };
    const { secret, fields } = issueClientSecret('hmac-service', 'client_secret_jwt', deps.random, deps.masterKey);
    const hmac = { clientId: 'hmac-service', metadata: { ...base, token_endpoint_auth_method: 'client_secret_jwt' as const }, policy, ...fields, createdAt: now, updatedAt: now };
    expect(await deps.storage.clients.create(keyed)).toBe(true);
    expect(await deps.storage.clients.create(hmac)).toBe(true);

    const tokenUrl = `${server.issuer}/token`;
    const viaKey = await token({ grant_type: 'client_credentials', ...assertionParams(await signAssertion(key.privateKey, 'ES256', { clientId: 'keyed-service', audience: tokenUrl }, key.publicJwk.kid)) });
    expect(viaKey.status).toBe(200);
    const viaSecret = await token({ grant_type: 'client_credentials', ...assertionParams(await signAssertion(new TextEncoder().encode(secret), 'HS256', { clientId: 'hmac-service', audience: tokenUrl })) });
    expect(viaSecret.status).toBe(200);

    const introspection = await postForm(`${server.url}/introspect`, {
      token: String(viaKey.body.access_token),
      ...assertionParams(await signAssertion(key.privateKey, 'ES256', { clientId: 'keyed-service', audience: `${server.issuer}/introspect` }, key.publicJwk.kid)),
    });
    expect(introspection.body).toMatchObject({ active: true, client_id: 'keyed-service' });
  });
});
