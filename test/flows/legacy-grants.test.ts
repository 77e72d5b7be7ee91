// The legacy grants of RFC 6749 (§4.2 implicit, §4.3 password), off by default (RFC 9700 §2.1.2, §2.4): refused unless
// the server turns them on AND the client's policy allows them; discovery lists them only when on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWaitMs } from '../../src/interaction/login-throttle.js';
import { createHash } from 'node:crypto';
import {
  authorizeOverHttp,
  authorizePath,
  createAuthorizationClient,
  createTestUser,
  PASSWORD,
  responseParams,
  type AuthorizationClient,
} from '../support/authorization-fixtures.js';
import { HttpAgent } from '../support/http-agent.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm } from '../support/token-fixtures.js';

const metadataOf = async (server: TestServer): Promise<Record<string, unknown>> =>
  (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;

const passwordClient = (server: TestServer, allowed: boolean, grantTypes = ['password', 'refresh_token']): Promise<AuthorizationClient> =>
  createAuthorizationClient(server, {
    redirectUris: [],
    metadata: { grant_types: grantTypes, response_types: [] },
    policy: { allowedLegacyGrants: allowed ? ['password'] : [] },
  });

const passwordRequest = (server: TestServer, client: AuthorizationClient, username: string, password: string, scope = 'openid profile offline_access') =>
  postForm(`${server.url}/token`, { grant_type: 'password', username, password, scope }, { authorization: client.basic });

describe('RFC 6749 §4.3 password grant, server-wide off (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createTestUser(server);
  });
  afterAll(() => server?.close());

  it('RFC 9700 §2.4: is unsupported_grant_type even for a client whose policy allows it, and discovery does not list it', async () => {
    const client = await passwordClient(server, true);
    const refused = await passwordRequest(server, client, 'alice', PASSWORD);
    expect([refused.status, refused.body.error]).toEqual([400, 'unsupported_grant_type']);
    expect((await metadataOf(server)).grant_types_supported).not.toContain('password');
  });
});

describe('RFC 6749 §4.3 password grant, server-wide on (LATCHKEY_PASSWORD_GRANT=true)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_PASSWORD_GRANT: 'true' } });
    await createTestUser(server);
    await createTestUser(server, 'bob');
  });
  afterAll(() => server?.close());

  it('RFC 8414 §2: discovery lists password in grant_types_supported', async () => {
    expect((await metadataOf(server)).grant_types_supported).toContain('password');
  });

  it('RFC 6749 §4.3.3: a client allowed it gets an access token, a refresh token (offline_access) and an ID Token (openid)', async () => {
    const client = await passwordClient(server, true);
    const tokens = await passwordRequest(server, client, 'alice', PASSWORD);
    expect(tokens.status, tokens.text).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile offline_access' });
    expect(typeof tokens.body.refresh_token).toBe('string');
    const claims = JSON.parse(Buffer.from((tokens.body.id_token as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: server.issuer, aud: client.clientId, amr: ['pwd'] });
    const refreshed = await postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string }, { authorization: client.basic });
    expect(refreshed.status, refreshed.text).toBe(200);
  });

  it('RFC 6749 §5.2: a client not allowed it is unauthorized_client (grant type not registered, or policy not allowing)', async () => {
    const notRegistered = await passwordClient(server, true, ['authorization_code']);
    expect((await passwordRequest(server, notRegistered, 'alice', PASSWORD)).body.error).toBe('unauthorized_client');
    const notAllowed = await passwordClient(server, false);
    const refused = await passwordRequest(server, notAllowed, 'alice', PASSWORD);
    expect([refused.status, refused.body.error]).toEqual([400, 'unauthorized_client']);
  });

  it('RFC 6749 §5.2: wrong credentials are invalid_grant, and count in the login page throttle until 429 with Retry-After', async () => {
    const client = await passwordClient(server, true);
    for (let i = 0; i < 5; i++) {
      const failed = await passwordRequest(server, client, 'bob', 'not the password');
      expect([failed.status, failed.body.error]).toEqual([400, 'invalid_grant']);
    }
    const { storage, clock } = server.server.deps;
    expect(await loginWaitMs('bob', '127.0.0.1', { storage, clock })).toBeGreaterThan(0); // the very counters the login form reads
    const throttled = await passwordRequest(server, client, 'bob', PASSWORD);
    expect([throttled.status, throttled.body.error]).toEqual([429, 'too_many_requests']);
    expect(throttled.headers.get('retry-after')).toBeTruthy();
  });
});

const implicitClient = (server: TestServer, allowed: boolean): Promise<AuthorizationClient> =>
  createAuthorizationClient(server, {
    public: true,
    metadata: { grant_types: ['implicit'], response_types: ['token', 'id_token token', 'id_token'] },
    policy: { allowedLegacyGrants: allowed ? ['implicit'] : [] },
  });

/** Signs in and consents over HTTP; returns the parameters of the redirect to the client (fragment or query). */
async function implicitRequest(server: TestServer, client: AuthorizationClient, params: Record<string, string | undefined>): Promise<URLSearchParams> {
  const agent = new HttpAgent(server.url);
  const response = await authorizeOverHttp(agent, authorizePath({ client_id: client.clientId, redirect_uri: client.redirectUri, state: 'st-1', ...params }));
  expect(response.status).toBe(303);
  const location = response.headers.get('location') as string;
  expect(location.startsWith(client.redirectUri)).toBe(true);
  return responseParams(location);
}

const payloadOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;

describe('RFC 6749 §4.2 implicit grant, server-wide off (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createTestUser(server);
  });
  afterAll(() => server?.close());

  it('RFC 9700 §2.1.2: response_type=token is unsupported_response_type even for a client allowed it; discovery lists code only', async () => {
    const client = await implicitClient(server, true);
    const params = await implicitRequest(server, client, { response_type: 'token', scope: 'profile' });
    expect([params.get('error'), params.get('state'), params.get('iss')]).toEqual(['unsupported_response_type', 'st-1', server.issuer]);
    expect(params.get('access_token')).toBeNull();
    const metadata = await metadataOf(server);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.grant_types_supported).not.toContain('implicit');
  });
});

describe('RFC 6749 §4.2 implicit grant, server-wide on (LATCHKEY_IMPLICIT_GRANT=true)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_IMPLICIT_GRANT: 'true' } });
    await createTestUser(server);
  });
  afterAll(() => server?.close());

  it('RFC 8414 §2: discovery lists the implicit response types and grant type', async () => {
    const metadata = await metadataOf(server);
    expect(metadata.response_types_supported).toEqual(['code', 'token', 'id_token token', 'id_token']);
    expect(metadata.grant_types_supported).toContain('implicit');
  });

  it('OIDC Core §3.2.2.5: id_token token answers in the fragment with access_token, token_type, expires_in, state, iss and an ID Token with nonce and at_hash; no refresh token', async () => {
    const client = await implicitClient(server, true);
    const params = await implicitRequest(server, client, { response_type: 'id_token token', scope: 'openid profile offline_access', nonce: 'n-0S6_WzA2Mj' });
    expect(params.get('token_type')).toBe('Bearer');
    expect(Number(params.get('expires_in'))).toBeGreaterThan(0);
    expect([params.get('state'), params.get('iss')]).toEqual(['st-1', server.issuer]);
    expect(params.get('refresh_token')).toBeNull();
    expect(params.get('code')).toBeNull();
    const accessToken = params.get('access_token') as string;
    const claims = payloadOf(params.get('id_token') as string);
    const digest = createHash('sha256').update(accessToken).digest();
    expect(claims).toMatchObject({ iss: server.issuer, aud: client.clientId, nonce: 'n-0S6_WzA2Mj', at_hash: digest.subarray(0, 16).toString('base64url') });
  });

  it('RFC 6749 §4.2.2: response_type=token answers access_token in the fragment, without an ID Token', async () => {
    const client = await implicitClient(server, true);
    const params = await implicitRequest(server, client, { response_type: 'token', scope: 'profile' });
    expect(params.get('access_token')).toBeTruthy();
    expect(params.get('id_token')).toBeNull();
    expect(params.get('scope')).toBe('profile');
  });

  it('OIDC Core §3.2.2.1: id_token token without a nonce is invalid_request; Multiple Response Types §2.1: never in the query', async () => {
    const client = await implicitClient(server, true);
    expect((await implicitRequest(server, client, { response_type: 'id_token token', scope: 'openid' })).get('error')).toBe('invalid_request');
    expect((await implicitRequest(server, client, { response_type: 'token', response_mode: 'query' })).get('error')).toBe('invalid_request');
  });

  it('RFC 6749 §4.2.2.1: a client whose policy does not allow it is unauthorized_client', async () => {
    const client = await implicitClient(server, false);
    const params = await implicitRequest(server, client, { response_type: 'token', scope: 'profile' });
    expect(params.get('error')).toBe('unauthorized_client');
    expect(params.get('access_token')).toBeNull();
  });
});
