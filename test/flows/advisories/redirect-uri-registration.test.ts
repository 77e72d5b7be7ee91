// Redirect URI validation at registration, one regression test per advisory in other servers (issue 9 item 9).
// Exact matching at /authorize (the other half of each advisory) is tested with the authorization endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENV, adminRequest } from '../../support/admin.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...ADMIN_ENV, LATCHKEY_REGISTRATION: 'open', LATCHKEY_RATE_LIMITS: '{"registration": {"perIp": 10000}}' } });
});
afterAll(async () => {
  await server?.close();
});

async function register(redirectUri: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [redirectUri] }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function expectRefused(redirectUri: string): Promise<void> {
  const dynamic = await register(redirectUri);
  expect(dynamic.status, redirectUri).toBe(400);
  expect(dynamic.body.error, redirectUri).toBe('invalid_redirect_uri');
  const admin = await adminRequest(server, 'POST', '/admin/clients', { redirect_uris: [redirectUri] });
  expect(admin.status, redirectUri).toBe(400);
}

describe('Keycloak CVE-2024-8883: a userinfo part turns a loopback-looking URI into another host', () => {
  it.each(['http://localhost:80@attacker.example/cb', 'http://127.0.0.1:80@attacker.example/cb', 'https://app.example@attacker.example/cb', 'https://app.example:443@attacker.example/cb', 'http://[::1]@attacker.example/cb'])('refuses %s', expectRefused);
});

describe('Keycloak CVE-2023-6291 and CVE-2024-1132: wildcard redirect URIs (the matching they enable is bypassable)', () => {
  it.each(['https://app.example/*', 'https://*.app.example/cb', 'https://app.example/cb*', 'http://127.0.0.1/*'])('refuses %s', expectRefused);
});

describe('Keycloak CVE-2022-3782 and CVE-2024-1132: encoded and dot-segment paths are stored verbatim, never normalised into a match', () => {
  it.each(['https://app.example/cb/../admin', 'https://app.example/cb/%2e%2e/admin', 'https://app.example/cb/%252e%252e/admin', 'https://app.example/cb/..;/admin'])('%s is kept byte for byte', async (uri) => {
    const result = await register(uri);
    if (result.status === 201) expect(result.body.redirect_uris).toEqual([uri]);
    else expect(result.body.error).toBe('invalid_redirect_uri');
  });
});

describe('Keycloak CVE-2020-10776 and javascript: URIs: schemes that run code are never a redirect target', () => {
  it.each(['javascript:alert(document.domain)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'javascript://app.example/%0aalert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'blob:https://app.example/x'])('refuses %s', expectRefused);
});

describe('fosite loopback and case bypasses: loopback redirects are IP literals over http, nothing that merely looks like one', () => {
  it.each(['http://localhost:8080/cb', 'http://LOCALHOST/cb', 'http://127.0.0.1.attacker.example/cb', 'http://127.0.0.1attacker.example/cb', 'http://app.example/cb', 'HTTP://app.example/cb', 'https://app.example/cb#frag', 'https://app.example/c b'])('refuses %s', expectRefused);

  it('keeps the case of a registered URI as sent (matching later is exact, so a case variant never matches)', async () => {
    const result = await register('https://App.Example/CallBack');
    expect(result.status).toBe(201);
    expect(result.body.redirect_uris).toEqual(['https://App.Example/CallBack']);
  });

  it('RFC 8252 §7.3: accepts a loopback IP literal over http', async () => {
    expect((await register('http://127.0.0.1/cb')).status).toBe(201);
    expect((await register('http://[::1]:8080/cb')).status).toBe(201);
  });
});

describe('issue 9 item 2: the number of redirect URIs is bounded', () => {
  it('refuses more than 20', async () => {
    const response = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example/cb${i}`) }) });
    expect(response.status).toBe(400);
  });
});
