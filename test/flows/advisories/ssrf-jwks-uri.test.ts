// SSRF through jwks_uri (Keycloak CVE-2020-10770; issue 9 item 3 "Done when"): a client registered with a jwks_uri
// pointing at 127.0.0.1 or 169.254.169.254 is refused, and a listener there sees no request.
// Only loopback is ever connected to; 169.254.169.254 is refused as an IP literal before anything is sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENV, adminRequest } from '../../support/admin.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

let listener: Server;
let port: number;
let seen = 0;
let server: TestServer;

beforeAll(async () => {
  listener = createServer((_request, response) => {
    seen++;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  server = await startTestServer({ env: { ...ADMIN_ENV, LATCHKEY_REGISTRATION: 'open' } });
});
afterAll(async () => {
  await server?.close();
  listener.closeAllConnections();
  await new Promise((resolve) => listener.close(resolve));
});

const privateKeyJwt = (jwksUri: string): Record<string, unknown> => ({
  redirect_uris: ['https://app.example/cb'],
  token_endpoint_auth_method: 'private_key_jwt',
  jwks_uri: jwksUri,
});

async function register(body: unknown): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('Keycloak CVE-2020-10770: SSRF through a client jwks_uri', () => {
  it.each([
    () => `https://127.0.0.1:${port}/jwks`,
    () => `http://127.0.0.1:${port}/jwks`,
    () => `https://[::ffff:127.0.0.1]:${port}/jwks`,
    () => `https://0x7f.0.0.1:${port}/jwks`,
    () => 'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
    () => 'https://[fd00:ec2::254]/latest/meta-data/',
    () => 'https://[::ffff:a9fe:a9fe]/latest/meta-data/',
    () => 'https://10.0.0.1/jwks',
  ])('dynamic registration refuses jwks_uri %# and the listener sees no request', async (target) => {
    const before = seen;
    const result = await register(privateKeyJwt(target()));
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_client_metadata');
    expect(result.body.error_description).toMatch(/^jwks_uri: /);
    expect(seen).toBe(before);
  });

  it('the admin API refuses the same (an operator allow-lists internal targets instead)', async () => {
    const before = seen;
    const response = await adminRequest(server, 'POST', '/admin/clients', privateKeyJwt(`https://127.0.0.1:${port}/jwks`));
    expect(response.status).toBe(400);
    expect(((await response.json()) as Record<string, string>).error).toBe('invalid_client_metadata');
    expect(seen).toBe(before);
  });
});

describe('LATCHKEY_OUTBOUND_ALLOW: an operator may allow an internal key host', () => {
  it('a jwks_uri on an allow-listed range registers', async () => {
    const allowed = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open', LATCHKEY_OUTBOUND_ALLOW: '10.20.0.0/16' } });
    try {
      const response = await fetch(`${allowed.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(privateKeyJwt('https://10.20.1.1/jwks')) });
      expect(response.status).toBe(201);
      const refused = await fetch(`${allowed.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(privateKeyJwt('https://10.21.1.1/jwks')) });
      expect(refused.status).toBe(400);
    } finally {
      await allowed.close();
    }
  });

  it('a bad allow-list entry stops the server at start', async () => {
    await expect(startTestServer({ env: { LATCHKEY_OUTBOUND_ALLOW: '10.0.0.0/99' } })).rejects.toThrow(/LATCHKEY_OUTBOUND_ALLOW/);
  });
});
