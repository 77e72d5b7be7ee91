// Redirect URI matching at /authorize is exact string comparison (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3): one
// regression test per advisory where another server matched more loosely (issue 9 item 9). A refused redirect_uri
// gets Latchkey's error page, never a redirect (RFC 6749 §4.1.2.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeRequest, createAuthorizationClient, type AuthorizationClient } from '../../support/authorization-fixtures.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

let server: TestServer;
let web: AuthorizationClient;
let loopback: AuthorizationClient;

beforeAll(async () => {
  server = await startTestServer();
  web = await createAuthorizationClient(server, { redirectUris: ['https://app.example/callback'] });
  loopback = await createAuthorizationClient(server, { redirectUris: ['http://127.0.0.1/cb'], public: true });
});
afterAll(async () => {
  await server?.close();
});

async function authorize(client: AuthorizationClient, redirectUri: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${codeRequest(client, { redirect_uri: redirectUri }).path}`, { redirect: 'manual', headers });
}

async function expectRefusedWithoutRedirect(client: AuthorizationClient, redirectUri: string): Promise<void> {
  const response = await authorize(client, redirectUri);
  expect(response.status, redirectUri).toBeGreaterThanOrEqual(400);
  expect(response.headers.get('location'), redirectUri).toBeNull();
  const html = await response.text();
  expect(html).not.toContain('attacker.example');
}

describe('exact matching: the registered URI itself is accepted', () => {
  it('goes on to the login page (a redirect on Latchkey itself, not to the client)', async () => {
    const response = await authorize(web, 'https://app.example/callback');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')?.startsWith('/') === true || response.headers.get('location')?.startsWith(server.url) === true).toBe(true);
  });
});

describe('Keycloak CVE-2023-6291 and CVE-2024-1132: path traversal and prefix matching', () => {
  it.each([
    'https://app.example/callback/../evil',
    'https://app.example/callback/..;/evil',
    'https://app.example/callback/%2e%2e/evil',
    'https://app.example/callbackevil',
    'https://app.example/callback/',
    'https://app.example/callback?next=https://attacker.example',
    'https://app.example/callback#https://attacker.example',
    'https://app.example/evil/../callback',
  ])('refuses %s', (uri) => expectRefusedWithoutRedirect(web, uri));
});

describe('Keycloak CVE-2022-3782: double-encoded dot segments', () => {
  it.each(['https://app.example/callback/%252e%252e/evil', 'https://app.example/callback%252f..%252fevil'])('refuses %s', (uri) => expectRefusedWithoutRedirect(web, uri));
});

describe('Keycloak CVE-2024-8883: userinfo and host confusion', () => {
  it.each([
    'https://app.example/callback@attacker.example',
    'https://app.example@attacker.example/callback',
    'https://app.example.attacker.example/callback',
    'https://app.example:443/callback', // the same URL to a browser, but not the registered string
    'https://attacker.example/callback',
  ])('refuses %s', (uri) => expectRefusedWithoutRedirect(web, uri));
});

describe('fosite case bypass: no case folding anywhere in the URI', () => {
  it.each(['https://APP.example/callback', 'https://app.example/Callback', 'HTTPS://app.example/callback'])('refuses %s', (uri) => expectRefusedWithoutRedirect(web, uri));
});

describe('fosite loopback bypass: RFC 8252 §7.3 lets only the port vary, on the registered IP literal', () => {
  it('accepts another port on the registered loopback IP', async () => {
    const response = await authorize(loopback, 'http://127.0.0.1:51234/cb');
    expect(response.status).toBe(303);
  });

  it.each([
    'http://localhost:51234/cb',
    'http://127.0.0.1.attacker.example/cb',
    'http://127.0.0.1:80@attacker.example/cb',
    'http://127.0.0.2/cb',
    'http://127.0.0.1:51234/cb/../evil',
    'http://127.0.0.1:51234/CB',
    'https://127.0.0.1:51234/cb',
  ])('refuses %s', (uri) => expectRefusedWithoutRedirect(loopback, uri));
});

describe('javascript: and other code-running schemes', () => {
  it.each(['javascript:alert(1)', 'JavaScript://app.example/callback%0aalert(1)', 'data:text/html,<script>alert(1)</script>'])('refuses %s without a redirect', (uri) => expectRefusedWithoutRedirect(web, uri));
});

describe('Keycloak CVE-2020-10776: input on the error page is escaped', () => {
  it('a redirect_uri carrying markup comes back escaped, if at all', async () => {
    const response = await authorize(web, 'https://app.example/"><script>alert(1)</script>');
    const html = await response.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('"><script>');
  });
});

describe('issue 9 item 9: no CORS on /authorize', () => {
  it('sends no Access-Control-Allow-Origin, whatever the Origin', async () => {
    const response = await authorize(web, 'https://app.example/callback', { origin: 'https://attacker.example' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/authorize`, { method: 'OPTIONS', headers: { origin: 'https://attacker.example', 'access-control-request-method': 'GET' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
