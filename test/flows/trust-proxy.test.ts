// RFC 9700 §4.13 and issue 9: X-Forwarded-For is believed only from a configured proxy (LATCHKEY_TRUST_PROXY). Rate
// limits and the audit log see the peer address otherwise; URLs never come from X-Forwarded-Host (the issuer is configured).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const METADATA = JSON.stringify({ redirect_uris: ['https://app.example/cb'] });

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request from the loopback address `from` (every 127.x.y.z reaches the server on Linux). */
function send(server: TestServer, from: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, method, path, localAddress: from, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const register = (server: TestServer, from: string, forwardedFor?: string): Promise<Answer> =>
  send(server, from, 'POST', '/register', { 'content-type': 'application/json', ...(forwardedFor !== undefined && { 'x-forwarded-for': forwardedFor }) }, METADATA);

async function registeredFrom(server: TestServer): Promise<(string | undefined)[]> {
  const events = await server.server.deps.storage.audit.list({ type: 'client.created', limit: 100 });
  return events.map((event) => event.ip).reverse();
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LIMITS = '{"registration": {"perIp": 2, "windowSeconds": 3600}}';

describe('RFC 9700 §4.13: trustProxy is off by default', () => {
  it('X-Forwarded-For is ignored: the rate limit and the audit log see the peer address', async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open', LATCHKEY_RATE_LIMITS: LIMITS } });
    expect((await register(server, '127.0.0.1', '203.0.113.1')).status).toBe(201);
    expect((await register(server, '127.0.0.1', '203.0.113.2')).status).toBe(201);
    // a forged new address per request does not escape the per-IP limit
    expect((await register(server, '127.0.0.1', '203.0.113.3')).status).toBe(429);
    expect(await registeredFrom(server)).toEqual(['127.0.0.1', '127.0.0.1']);
  });
});

describe('RFC 9700 §4.13: with LATCHKEY_TRUST_PROXY naming the proxy', () => {
  it('a request through the trusted proxy is counted and audited under the forwarded client address', async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open', LATCHKEY_RATE_LIMITS: LIMITS, LATCHKEY_TRUST_PROXY: '127.0.0.1' } });
    expect((await register(server, '127.0.0.1', '203.0.113.1')).status).toBe(201);
    expect((await register(server, '127.0.0.1', '203.0.113.1')).status).toBe(201);
    expect((await register(server, '127.0.0.1', '203.0.113.1')).status).toBe(429); // this client's limit
    expect((await register(server, '127.0.0.1', '203.0.113.2')).status).toBe(201); // another client behind the same proxy
    // the client-supplied part left of the proxy's own entry is not believed: the rightmost untrusted hop counts
    expect((await register(server, '127.0.0.1', '198.51.100.7, 203.0.113.9')).status).toBe(201);
    expect(await registeredFrom(server)).toEqual(['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.9']);
  });

  it('X-Forwarded-For from a peer that is not a configured proxy is ignored', async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open', LATCHKEY_RATE_LIMITS: LIMITS, LATCHKEY_TRUST_PROXY: '127.0.0.1' } });
    expect((await register(server, '127.0.0.2', '203.0.113.1')).status).toBe(201);
    expect((await register(server, '127.0.0.2', '203.0.113.2')).status).toBe(201);
    expect((await register(server, '127.0.0.2', '203.0.113.3')).status).toBe(429);
    expect(await registeredFrom(server)).toEqual(['127.0.0.2', '127.0.0.2']);
  });

  it('a hop count believes that many proxies from the right of X-Forwarded-For', async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open', LATCHKEY_TRUST_PROXY: '1' } });
    expect((await register(server, '127.0.0.2', '198.51.100.7, 203.0.113.9')).status).toBe(201);
    expect((await register(server, '127.0.0.2')).status).toBe(201);
    expect(await registeredFrom(server)).toEqual(['203.0.113.9', '127.0.0.2']);
  });

  it('X-Forwarded-Host and X-Forwarded-Proto do not change the issuer, the endpoints or a redirect', async () => {
    server = await startTestServer({ env: { LATCHKEY_TRUST_PROXY: '127.0.0.1' } });
    const forged = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', host: 'evil.example' };
    const discovery = await send(server, '127.0.0.1', 'GET', '/.well-known/openid-configuration', forged);
    expect(discovery.status).toBe(200);
    const metadata = JSON.parse(discovery.body) as Record<string, unknown>;
    expect(metadata.issuer).toBe(server.issuer);
    expect(discovery.body).not.toContain('evil.example');
    const authorize = await send(server, '127.0.0.1', 'GET', '/authorize?client_id=nobody&response_type=code', forged);
    expect(authorize.status).toBe(400);
    expect(authorize.body).not.toContain('evil.example');
  });
});
