// The legacy grants of RFC 6749 (§4.2 implicit, §4.3 password), off by default (RFC 9700 §2.1.2, §2.4): refused unless
// the server turns them on AND the client's policy allows them; discovery lists them only when on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWaitMs } from '../../src/interaction/login-throttle.js';
import { createAuthorizationClient, createTestUser, PASSWORD, type AuthorizationClient } from '../support/authorization-fixtures.js';
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
