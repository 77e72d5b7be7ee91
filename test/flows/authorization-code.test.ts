// The authorization code flow over real HTTP: RFC 6749 §4.1, RFC 7636 (PKCE), OIDC Core §3.1 (ID Token, UserInfo),
// RFC 9207 (iss), RFC 9126 (PAR); sessions, consent and login throttling. SQLite here; the main flow also on PostgreSQL.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { setDisabled } from '../../src/protocol/users/manage-users.js';
import {
  authorizeOverHttp,
  codeRequest,
  createAuthorizationClient,
  createTestUser,
  exchangeCode,
  PASSWORD,
  responseParams,
  type AuthorizationClient,
} from '../support/authorization-fixtures.js';
import { formAction, hiddenField, HttpAgent } from '../support/http-agent.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  error?: string;
}

/** Runs /authorize → login → consent → code, and returns the code and what is needed to redeem it. */
async function obtainCode(server: TestServer, client: AuthorizationClient, agent = new HttpAgent(server.url), overrides: Record<string, string | undefined> = {}) {
  const request = codeRequest(client, overrides);
  const response = await authorizeOverHttp(agent, request.path);
  expect(response.status).toBe(303);
  const location = response.headers.get('location') as string;
  expect(location.startsWith(client.redirectUri)).toBe(true);
  const params = responseParams(location);
  return { ...request, agent, params, code: params.get('code') as string };
}

function mainFlow(name: string, open: () => Promise<TestServer>): void {
  describe(`${name}: the authorization code flow with PKCE and OpenID Connect`, () => {
    let server: TestServer;
    let client: AuthorizationClient;
    beforeAll(async () => {
      server = await open();
      await createTestUser(server, 'alice');
      client = await createAuthorizationClient(server);
    });
    afterAll(() => server.close());

    it('RFC 6749 §4.1.2 + RFC 9207: the code comes back with state and iss; the exchange gives tokens and an ID Token (OIDC Core §3.1.3.3)', async () => {
      const { code, params, state, nonce, pkce } = await obtainCode(server, client);
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
      expect(params.get('state')).toBe(state);
      expect(params.get('iss')).toBe(server.issuer);

      const response = await exchangeCode(server, client, code, pkce.verifier);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as TokenBody;
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email' });
      expect(body.expires_in).toBeGreaterThan(0);
      expect(body.refresh_token).toBeUndefined(); // no offline_access

      const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
      const { payload, protectedHeader } = await jwtVerify(body.id_token as string, jwks, { issuer: server.issuer, audience: client.clientId });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload).toMatchObject({ nonce, acr: '1', amr: ['pwd'], email: 'alice@example.com', email_verified: true, name: 'Alice Example', preferred_username: 'alice' });
      expect(typeof payload.sid).toBe('string');
      expect(typeof payload.auth_time).toBe('number');
      expect(payload.sub).not.toBe('alice');

      const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } });
      expect(userinfo.status).toBe(200);
      const claims = (await userinfo.json()) as Record<string, unknown>;
      expect(claims).toMatchObject({ sub: payload.sub, email: 'alice@example.com', name: 'Alice Example' });
      expect(claims.address).toBeUndefined(); // not asked for
    });
  });
}

mainFlow('SQLite', () => startTestServer());
describePostgres('PostgreSQL', () => {
  mainFlow('PostgreSQL', async () => startTestServer({ databaseUrl: await createPostgresDatabase() }));
});

describe('the authorization code flow in detail (SQLite)', () => {
  let server: TestServer;
  let client: AuthorizationClient;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    server = await startTestServer({ clock });
    await createTestUser(server, 'alice');
    await createTestUser(server, 'bob', { email: 'bob@example.com' });
    client = await createAuthorizationClient(server);
  });
  afterAll(() => server.close());

  it('OIDC Core §3.1.3.6: at_hash is the left half of SHA-256 of the access token', async () => {
    const { code, pkce } = await obtainCode(server, client);
    const body = (await (await exchangeCode(server, client, code, pkce.verifier)).json()) as TokenBody;
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update(body.access_token).digest().subarray(0, 16).toString('base64url');
    const payload = JSON.parse(Buffer.from((body.id_token as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(payload.at_hash).toBe(expected);
  });

  it('OIDC Registration §2: the ID Token is signed with the alg the client registered (id_token_signed_response_alg)', async () => {
    const es256 = await createAuthorizationClient(server, { metadata: { id_token_signed_response_alg: 'ES256' } });
    const { code, pkce } = await obtainCode(server, es256);
    const body = (await (await exchangeCode(server, es256, code, pkce.verifier)).json()) as TokenBody;
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { protectedHeader } = await jwtVerify(body.id_token as string, jwks, { issuer: server.issuer, audience: es256.clientId });
    expect(protectedHeader.alg).toBe('ES256');
  });

  it('a client whose policy always wants a refresh token gets one without offline_access', async () => {
    const always = await createAuthorizationClient(server, { policy: { alwaysIssueRefreshToken: true } });
    const { code, pkce } = await obtainCode(server, always);
    const body = (await (await exchangeCode(server, always, code, pkce.verifier)).json()) as TokenBody;
    expect(body.refresh_token).toBeDefined();
  });

  it('RFC 6749 §4.1.2: a replayed code fails with invalid_grant and the tokens of its first use stop working', async () => {
    const { code, pkce } = await obtainCode(server, client, undefined, { scope: 'openid offline_access' });
    const first = (await (await exchangeCode(server, client, code, pkce.verifier)).json()) as TokenBody;
    expect(first.refresh_token).toBeDefined(); // offline_access
    expect((await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${first.access_token}` } })).status).toBe(200);

    const replay = await exchangeCode(server, client, code, pkce.verifier);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as TokenBody).error).toBe('invalid_grant');

    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${first.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const refresh = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string }),
    });
    expect(((await refresh.json()) as TokenBody).error).toBe('invalid_grant');
  });

  it('RFC 7636 §4.6: a wrong or missing code_verifier fails with invalid_grant', async () => {
    const { code, pkce } = await obtainCode(server, client);
    const wrong = await exchangeCode(server, client, code, `${pkce.verifier.slice(0, -2)}xx`);
    expect(((await wrong.json()) as TokenBody).error).toBe('invalid_grant');
    const missing = await exchangeCode(server, client, code, undefined);
    expect(((await missing.json()) as TokenBody).error).toBe('invalid_grant');
    expect((await exchangeCode(server, client, code, pkce.verifier)).status).toBe(200); // the right one still works
  });

  it('RFC 6749 §4.1.3: redirect_uri must match; another client cannot redeem the code', async () => {
    const other = await createAuthorizationClient(server);
    const { code, pkce } = await obtainCode(server, client);
    const mismatch = await exchangeCode(server, client, code, pkce.verifier, { redirect_uri: 'https://app.example/other' });
    expect(((await mismatch.json()) as TokenBody).error).toBe('invalid_grant');
    const stolen = await exchangeCode(server, other, code, pkce.verifier);
    expect(((await stolen.json()) as TokenBody).error).toBe('invalid_grant');
  });

  it('RFC 6749 §4.1.2: the code expires after 60 seconds', async () => {
    const { code, pkce } = await obtainCode(server, client);
    clock.advance(61_000);
    const late = await exchangeCode(server, client, code, pkce.verifier);
    expect(((await late.json()) as TokenBody).error).toBe('invalid_grant');
  });

  it('RFC 7636 §4.4.1: a public client without PKCE is refused, even where PKCE is only required of public clients', async () => {
    const lenient = await startTestServer({ env: { LATCHKEY_PKCE_REQUIRED: 'public' } });
    try {
      const publicClient = await createAuthorizationClient(lenient, { public: true });
      const { path, state } = codeRequest(publicClient, { code_challenge: undefined, code_challenge_method: undefined });
      const response = await fetch(`${lenient.url}${path}`, { redirect: 'manual' });
      const params = responseParams(response.headers.get('location') as string);
      expect([params.get('error'), params.get('state')]).toEqual(['invalid_request', state]);
      expect(params.get('error_description')).toContain('code_challenge');
    } finally {
      await lenient.close();
    }
  });

  it('a public client redeems its code with PKCE and client_id only', async () => {
    const publicClient = await createAuthorizationClient(server, { public: true });
    const { code, pkce } = await obtainCode(server, publicClient);
    const response = await exchangeCode(server, publicClient, code, pkce.verifier);
    expect(response.status).toBe(200);
  });

  it('OIDC Core §3.1.2.4: consent is remembered per user, client and scopes, and asked again when the scopes grow', async () => {
    const fresh = await createAuthorizationClient(server);
    const agent = new HttpAgent(server.url);
    await obtainCode(server, fresh, agent, { scope: 'openid profile' }); // logs in and consents
    const again = await agent.follow(await agent.get(codeRequest(fresh, { scope: 'openid profile' }).path));
    expect(again.status).toBe(303); // straight back to the client: no page
    expect(responseParams(again.headers.get('location') as string).get('code')).toBeTruthy();

    const grown = await agent.follow(await agent.get(codeRequest(fresh, { scope: 'openid profile email' }).path));
    expect(grown.status).toBe(200);
    const html = await grown.text();
    expect(html).toContain('name="decision"');
    expect(html).toContain('See your email address');
    expect(html).toContain('<span class="lk-badge">New</span>');
  });

  it('OIDC Core §3.1.2.1 prompt=none: a code with a session and remembered consent; login_required without a session', async () => {
    const agent = new HttpAgent(server.url);
    await obtainCode(server, client, agent);
    const silent = await agent.get(codeRequest(client, { prompt: 'none' }).path);
    expect(silent.status).toBe(303);
    expect(responseParams(silent.headers.get('location') as string).get('code')).toBeTruthy();
    const needsConsent = await agent.get(codeRequest(client, { prompt: 'none', scope: 'openid phone' }).path);
    expect(responseParams(needsConsent.headers.get('location') as string).get('error')).toBe('consent_required');

    const stranger = await fetch(`${server.url}${codeRequest(client, { prompt: 'none' }).path}`, { redirect: 'manual' });
    expect(responseParams(stranger.headers.get('location') as string).get('error')).toBe('login_required');
  });

  it('prompt=login and max_age force a new login; prompt=select_account shows the chooser', async () => {
    const agent = new HttpAgent(server.url);
    await obtainCode(server, client, agent);
    for (const overrides of [{ prompt: 'login' }, { max_age: '0' }]) {
      clock.advance(1000);
      const page = await agent.follow(await agent.get(codeRequest(client, overrides).path));
      expect(await page.text()).toContain('name="password"');
    }
    const chooser = await agent.follow(await agent.get(codeRequest(client, { prompt: 'select_account' }).path));
    const html = await chooser.text();
    expect(html).toContain('Continue as Alice Example');
    const next = await agent.post(formAction(html) as string, { csrf_token: hiddenField(html, 'csrf_token') as string, choice: 'switch' });
    expect(await (await agent.follow(next)).text()).toContain('name="password"');
  });

  it('sessions: HttpOnly SameSite=Lax cookie (no Secure on http loopback), a new id at every login, idle timeout', async () => {
    const agent = new HttpAgent(server.url);
    const page = await agent.follow(await agent.get(codeRequest(client).path));
    const html = await page.text();
    const login = await agent.post(formAction(html) as string, { csrf_token: hiddenField(html, 'csrf_token') as string, identifier: 'alice', password: PASSWORD });
    const setCookie = login.headers.getSetCookie().find((c) => c.startsWith('latchkey_session=')) as string;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    const first = agent.cookie('latchkey_session');

    await obtainCode(server, client, agent, { prompt: 'login' });
    expect(agent.cookie('latchkey_session')).not.toBe(first); // rotated

    clock.advance(server.config.sessions.idleSeconds * 1000 + 1000);
    const idle = await agent.get(codeRequest(client, { prompt: 'none' }).path);
    expect(responseParams(idle.headers.get('location') as string).get('error')).toBe('login_required');
  });

  it('login: one message for an unknown user and a wrong password; a disabled user cannot sign in', async () => {
    const messages: string[] = [];
    for (const identifier of ['nobody', 'alice']) {
      const agent = new HttpAgent(server.url);
      const page = await agent.follow(await agent.get(codeRequest(client).path));
      const html = await page.text();
      const failed = await agent.post(formAction(html) as string, { csrf_token: hiddenField(html, 'csrf_token') as string, identifier, password: 'wrong password!' });
      expect(failed.status).toBe(400);
      const text = await failed.text();
      messages.push(/<div class="lk-alert" role="alert" id="login-error">([^<]*)</.exec(text)?.[1] ?? '');
    }
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toContain('not right');

    const { storage, clock: serverClock, random } = server.server.deps;
    await createTestUser(server, 'dora');
    await setDisabled('dora', true, { storage, clock: serverClock, random });
    const agent = new HttpAgent(server.url);
    const page = await agent.follow(await agent.get(codeRequest(client).path));
    const html = await page.text();
    const disabled = await agent.post(formAction(html) as string, { csrf_token: hiddenField(html, 'csrf_token') as string, identifier: 'dora', password: PASSWORD });
    expect(disabled.status).toBe(400);
    expect(await disabled.text()).toContain(messages[0]);
  });

  it('login: failures are throttled per account with growing delays (state in the database)', async () => {
    await createTestUser(server, 'carol');
    const agent = new HttpAgent(server.url);
    const page = await agent.follow(await agent.get(codeRequest(client).path));
    const html = await page.text();
    const attempt = (password: string) => agent.post(formAction(html) as string, { csrf_token: hiddenField(html, 'csrf_token') as string, identifier: 'carol', password });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong password!')).status).toBe(400);
    const throttled = await attempt(PASSWORD); // even the right password waits
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    clock.advance(1000);
    expect((await attempt(PASSWORD)).status).toBe(303);
  });

  it('CSRF: a login or consent form without its token is refused with 403', async () => {
    const agent = new HttpAgent(server.url);
    const page = await agent.follow(await agent.get(codeRequest(client).path));
    const html = await page.text();
    const refused = await agent.post(formAction(html) as string, { identifier: 'alice', password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('location')).toBeNull();
    const wrong = await agent.post(formAction(html) as string, { csrf_token: 'forged', identifier: 'alice', password: PASSWORD });
    expect(wrong.status).toBe(403);
  });

  it('an interaction is bound to the browser that started it', async () => {
    const agent = new HttpAgent(server.url);
    const started = await agent.get(codeRequest(client).path);
    const other = new HttpAgent(server.url);
    const response = await other.get(started.headers.get('location') as string);
    expect(response.status).toBe(403);
  });

  it('deny: access_denied goes to the client with state and iss', async () => {
    const agent = new HttpAgent(server.url);
    const request = codeRequest(client, { scope: 'openid address' });
    const response = await authorizeOverHttp(agent, request.path, { consent: 'deny' });
    const params = responseParams(response.headers.get('location') as string);
    expect([params.get('error'), params.get('state'), params.get('iss')]).toEqual(['access_denied', request.state, server.issuer]);
  });

  it('Form Post Response Mode §2: the code is posted by an auto-submitting form', async () => {
    const agent = new HttpAgent(server.url);
    const request = codeRequest(client, { response_mode: 'form_post' });
    const response = await authorizeOverHttp(agent, request.path);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`action="${client.redirectUri}"`);
    expect(hiddenField(html, 'state')).toBe(request.state);
    expect(hiddenField(html, 'code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('RFC 9126: a pushed request is used through request_uri, once', async () => {
    const pushed = codeRequest(client);
    const par = await fetch(`${server.url}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic },
      body: new URLSearchParams(Object.entries(pushed.params).filter((e): e is [string, string] => e[1] !== undefined)),
    });
    expect(par.status).toBe(201);
    const { request_uri: requestUri, expires_in: expiresIn } = (await par.json()) as { request_uri: string; expires_in: number };
    expect(requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(expiresIn).toBe(60);

    const agent = new HttpAgent(server.url);
    const path = `/authorize?${new URLSearchParams({ client_id: client.clientId, request_uri: requestUri })}`;
    const response = await authorizeOverHttp(agent, path);
    const params = responseParams(response.headers.get('location') as string);
    expect(params.get('state')).toBe(pushed.state);
    expect((await exchangeCode(server, client, params.get('code') as string, pushed.pkce.verifier)).status).toBe(200);

    const reused = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    expect(reused.status).toBe(400);
    expect(reused.headers.get('location')).toBeNull();
  });

  it('RFC 9126 §2: the PAR endpoint authenticates the client and validates the request', async () => {
    const pushed = codeRequest(client);
    const body = new URLSearchParams(Object.entries(pushed.params).filter((e): e is [string, string] => e[1] !== undefined));
    const anonymous = await fetch(`${server.url}/par`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(anonymous.status).toBe(401);
    body.set('code_challenge_method', 'plain');
    const invalid = await fetch(`${server.url}/par`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client.basic }, body });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toBe('invalid_request');
    const json = await fetch(`${server.url}/par`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: client.basic }, body: JSON.stringify(pushed.params) });
    expect(json.status).toBe(415);
  });

  it('OIDC Core §5.3 + RFC 6750 §3: UserInfo by GET and POST; missing, invalid and openid-less tokens are refused with WWW-Authenticate', async () => {
    const { code, pkce } = await obtainCode(server, client);
    const { access_token: token } = (await (await exchangeCode(server, client, code, pkce.verifier)).json()) as TokenBody;
    const post = await fetch(`${server.url}/userinfo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: token }) });
    expect(post.status).toBe(200);

    const none = await fetch(`${server.url}/userinfo`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="latchkey"');
    const invalid = await fetch(`${server.url}/userinfo`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const oauthOnly = await obtainCode(server, client, undefined, { scope: 'profile' });
    const plain = (await (await exchangeCode(server, client, oauthOnly.code, oauthOnly.pkce.verifier)).json()) as TokenBody;
    expect(plain.id_token).toBeUndefined();
    const insufficient = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${plain.access_token}` } });
    expect(insufficient.status).toBe(403);
    expect(insufficient.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('discovery lists the authorization endpoint, PAR, UserInfo, S256 and the iss parameter', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      authorization_endpoint: `${server.issuer}/authorize`,
      pushed_authorization_request_endpoint: `${server.issuer}/par`,
      require_pushed_authorization_requests: false,
      userinfo_endpoint: `${server.issuer}/userinfo`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      claims_parameter_supported: false,
    });
    expect(metadata.grant_types_supported).toContain('authorization_code');
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']));
  });
});

describe('RFC 8707 §2: resource indicators in the authorization code flow', () => {
  let server: TestServer;
  let client: AuthorizationClient;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_RESOURCES: JSON.stringify([{ uri: 'https://api.example.com' }, { uri: 'https://other.example.com' }]) } });
    await createTestUser(server, 'alice');
    client = await createAuthorizationClient(server);
  });
  afterAll(() => server.close());

  const audienceOf = (accessToken: string): unknown => (JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString('utf8')) as { aud: unknown }).aud;

  it('resource at /authorize becomes the aud of the access token from the code', async () => {
    const { code, pkce } = await obtainCode(server, client, undefined, { resource: 'https://api.example.com' });
    const response = await exchangeCode(server, client, code, pkce.verifier);
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect([audienceOf(body.access_token)].flat()).toEqual(['https://api.example.com']);
  });

  it('a resource at /token outside the grant is invalid_target, and the code survives it', async () => {
    const { code, pkce } = await obtainCode(server, client, undefined, { resource: 'https://api.example.com' });
    const refused = await exchangeCode(server, client, code, pkce.verifier, { resource: 'https://other.example.com' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as TokenBody).error).toBe('invalid_target');
    expect((await exchangeCode(server, client, code, pkce.verifier)).status).toBe(200);
  });

  it('an unknown resource at /authorize is redirected back as invalid_target with state and iss', async () => {
    const request = codeRequest(client, { resource: 'https://unknown.example.com' });
    const response = await authorizeOverHttp(new HttpAgent(server.url), request.path);
    expect(response.status).toBe(303);
    const params = responseParams(response.headers.get('location') as string);
    expect(params.get('error')).toBe('invalid_target');
    expect(params.get('state')).toBe(request.state);
    expect(params.get('iss')).toBe(server.issuer);
  });
});
