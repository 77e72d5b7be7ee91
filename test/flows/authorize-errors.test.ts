// RFC 6749 §4.1.2.1 over real HTTP: errors before client_id and redirect_uri are verified stay on Latchkey's error page
// (never a redirect); every later error goes to the redirect URI with error, state and iss (RFC 9207).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizePath, codeRequest, createAuthorizationClient, responseParams, type AuthorizationClient } from '../support/authorization-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let client: AuthorizationClient;
let twoUris: AuthorizationClient;
let ccOnly: AuthorizationClient;

beforeAll(async () => {
  server = await startTestServer();
  client = await createAuthorizationClient(server);
  twoUris = await createAuthorizationClient(server, { redirectUris: ['https://app.example/a', 'https://app.example/b'] });
  ccOnly = await createAuthorizationClient(server, { metadata: { grant_types: ['client_credentials'] } });
});
afterAll(() => server.close());

const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });

async function expectErrorPage(response: Response, code: string): Promise<void> {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const html = await response.text();
  expect(html).toContain(`Error: ${code}`);
  expect(html).not.toContain('app.example'); // nothing points the person at the unverified URI
}

function expectRedirectError(response: Response, redirectUri: string, code: string, state: string | undefined): URLSearchParams {
  expect(response.status).toBe(303);
  const location = response.headers.get('location') as string;
  expect(location.startsWith(`${redirectUri}?`) || location.startsWith(`${redirectUri}#`)).toBe(true);
  const params = responseParams(location);
  expect(params.get('error')).toBe(code);
  expect(params.get('state') ?? undefined).toBe(state);
  expect(params.get('iss')).toBe(server.issuer);
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  return params;
}

describe('RFC 6749 §4.1.2.1: client_id or redirect_uri not verified → the error page, never a redirect', () => {
  const cases: [string, () => Record<string, string | undefined>, string][] = [
    ['client_id missing', () => ({ ...codeRequest(client).params, client_id: undefined }), 'invalid_request'],
    ['client_id unknown', () => ({ ...codeRequest(client).params, client_id: 'no-such-client' }), 'invalid_request'],
    ['redirect_uri not registered', () => ({ ...codeRequest(client).params, redirect_uri: 'https://evil.example/callback' }), 'invalid_request'],
    ['redirect_uri differing by a trailing slash (exact string match)', () => ({ ...codeRequest(client).params, redirect_uri: 'https://app.example/callback/' }), 'invalid_request'],
    ['redirect_uri differing in case', () => ({ ...codeRequest(client).params, redirect_uri: 'https://APP.example/callback' }), 'invalid_request'],
    ['redirect_uri omitted in an OpenID Connect request (OIDC Core §3.1.2.1)', () => ({ ...codeRequest(client).params, redirect_uri: undefined }), 'invalid_request'],
    ['redirect_uri omitted with two registered', () => ({ ...codeRequest(twoUris).params, redirect_uri: undefined, scope: 'profile' }), 'invalid_request'],
    ['request_uri unknown (RFC 9126 §4)', () => ({ client_id: client.clientId, request_uri: 'urn:ietf:params:oauth:request_uri:nope' }), 'invalid_request_uri'],
  ];
  for (const [name, params, code] of cases) {
    it(name, async () => {
      await expectErrorPage(await get(authorizePath(params())), code);
    });
  }

  it('client_id repeated', async () => {
    const { params } = codeRequest(client);
    await expectErrorPage(await get(`${authorizePath(params)}&client_id=${client.clientId}`), 'invalid_request');
  });

  it('redirect_uri repeated', async () => {
    const { params } = codeRequest(client);
    await expectErrorPage(await get(`${authorizePath(params)}&redirect_uri=${encodeURIComponent(client.redirectUri)}`), 'invalid_request');
  });

  it('the same rule holds for POST /authorize', async () => {
    const { params } = codeRequest(client, { redirect_uri: 'https://evil.example/callback' });
    const body = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    const response = await fetch(`${server.url}/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    await expectErrorPage(response, 'invalid_request');
  });
});

describe('RFC 6749 §4.1.2.1: errors after verification → redirect with error, state and iss (RFC 9207)', () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ['response_type missing', { response_type: undefined }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['a scope the client may not request', { scope: 'openid admin' }, 'invalid_scope'],
    ['no code_challenge (PKCE required for every client)', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['an unknown prompt', { prompt: 'bogus' }, 'invalid_request'],
    ['prompt=none with no session (OIDC Core §3.1.2.6)', { prompt: 'none' }, 'login_required'],
    ['a request object (OIDC Core §6)', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
    ['an unknown response_mode', { response_mode: 'web_message' }, 'invalid_request'],
    ['max_age not a number', { max_age: 'soon' }, 'invalid_request'],
  ];
  for (const [name, overrides, code] of cases) {
    it(name, async () => {
      const { path, state } = codeRequest(client, overrides);
      expectRedirectError(await get(path), client.redirectUri, code, state);
    });
  }

  it('a repeated parameter other than client_id and redirect_uri (RFC 6749 §3.1)', async () => {
    const { path, state } = codeRequest(client);
    expectRedirectError(await get(`${path}&scope=openid`), client.redirectUri, 'invalid_request', state);
  });

  it('a client not registered for the code flow gets unauthorized_client', async () => {
    const { path, state } = codeRequest(ccOnly);
    expectRedirectError(await get(path), ccOnly.redirectUri, 'unauthorized_client', state);
  });

  it('state is echoed byte-exact, whatever its characters', async () => {
    const state = 'a+b %2F c&d=é/😀?#~';
    const { path } = codeRequest(client, { state, response_type: 'token' });
    expectRedirectError(await get(path), client.redirectUri, 'unsupported_response_type', state);
  });

  it('without state, none is invented', async () => {
    const { path } = codeRequest(client, { state: undefined, scope: 'openid admin' });
    expectRedirectError(await get(path), client.redirectUri, 'invalid_scope', undefined);
  });

  it('redirect_uri may be omitted for a non-OIDC request when exactly one is registered; the error goes there', async () => {
    const { path, state } = codeRequest(client, { redirect_uri: undefined, scope: 'profile', code_challenge: undefined, code_challenge_method: undefined });
    expectRedirectError(await get(path), client.redirectUri, 'invalid_request', state);
  });

  it('response_mode=fragment puts the error in the fragment', async () => {
    const { path } = codeRequest(client, { response_mode: 'fragment', scope: 'openid admin' });
    const response = await get(path);
    expect(response.headers.get('location')).toMatch(/^https:\/\/app\.example\/callback#error=invalid_scope/);
  });

  it('response_mode=form_post sends the error as an auto-submitting form (Form Post Response Mode §2)', async () => {
    const { path, state } = codeRequest(client, { response_mode: 'form_post', scope: 'openid admin' });
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("form-action 'self' https://app.example");
    const html = await response.text();
    expect(html).toContain('<form method="post" action="https://app.example/callback" id="lk-form-post">');
    expect(html).toContain('<input type="hidden" name="error" value="invalid_scope"/>');
    expect(html).toContain(`<input type="hidden" name="state" value="${state}"/>`);
    expect(html).toContain(`<input type="hidden" name="iss" value="${server.issuer}"/>`);
  });

  it('a client that must use PAR (RFC 9126 §6) is refused a plain request', async () => {
    const parOnly = await createAuthorizationClient(server, { metadata: { require_pushed_authorization_requests: true } });
    const { path, state } = codeRequest(parOnly);
    expectRedirectError(await get(path), parOnly.redirectUri, 'invalid_request', state);
  });

  it('POST /authorize redirects its errors too, with 303', async () => {
    const { params, state } = codeRequest(client, { response_type: 'token' });
    const body = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    const response = await fetch(`${server.url}/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expectRedirectError(response, client.redirectUri, 'unsupported_response_type', state);
  });
});

describe('RFC 9126: PAR required server-wide', () => {
  it('refuses requests that were not pushed, with a redirect once the client is verified', async () => {
    const strict = await startTestServer({ env: { LATCHKEY_REQUIRE_PAR: 'true' } });
    try {
      const c = await createAuthorizationClient(strict);
      const { path, state } = codeRequest(c);
      const response = await fetch(`${strict.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const params = responseParams(response.headers.get('location') as string);
      expect([params.get('error'), params.get('state'), params.get('iss')]).toEqual(['invalid_request', state, strict.issuer]);
      const metadata = (await (await fetch(`${strict.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(metadata.require_pushed_authorization_requests).toBe(true);
    } finally {
      await strict.close();
    }
  });
});
