// Issue #10 §2: discovery and the JWKS are answered before Fastify (src/http/static-documents.ts) when nothing about
// the request needs it. Over real HTTP: the answer is the one Fastify's routes give, whichever path served it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LATCHKEY_ADMIN_PORT: '0', LATCHKEY_ADMIN_TOKEN: 'a'.repeat(40) } });
});
afterAll(async () => {
  await server.close();
});

/** The headers that describe the document (Date and the request id differ per response). */
function documentHeaders(response: Response): Record<string, string | null> {
  return Object.fromEntries(['content-type', 'content-length', 'cache-control', 'access-control-allow-origin'].map((name) => [name, response.headers.get(name)]));
}

describe('Issue #10 §2: discovery and JWKS before Fastify, same answers', () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks']) {
    it(`GET ${path}: the front answer equals the route's (reached with a query string), headers and bytes`, async () => {
      const front = await fetch(`${server.url}${path}`);
      const routed = await fetch(`${server.url}${path}?via=fastify`); // a query string is left to the route
      expect(front.status).toBe(200);
      expect(routed.status).toBe(200);
      expect(documentHeaders(front)).toEqual(documentHeaders(routed));
      expect(await front.text()).toBe(await routed.text());
      expect(front.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  }

  it('RFC 9110 §9.3.2: HEAD has the GET headers and no body', async () => {
    const head = await fetch(`${server.url}/.well-known/openid-configuration`, { method: 'HEAD' });
    const get = await fetch(`${server.url}/.well-known/openid-configuration`);
    expect(head.status).toBe(200);
    expect(documentHeaders(head)).toEqual(documentHeaders(get));
    expect(await head.text()).toBe('');
  });

  it('Issue #2 §7: a well-formed X-Request-Id is echoed, a malformed one replaced', async () => {
    const echoed = await fetch(`${server.url}/jwks`, { headers: { 'x-request-id': 'trace-abc.1' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc.1');
    const replaced = await fetch(`${server.url}/jwks`, { headers: { 'x-request-id': 'no spaces allowed' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('Issue #9 §2: a request over the transport limits is still refused (by Fastify) with invalid_request', async () => {
    const headers = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`x-filler-${i}`, 'x']));
    const response = await fetch(`${server.url}/.well-known/openid-configuration`, { headers });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('other methods are Fastify\'s: POST to a document is not answered with it', async () => {
    const response = await fetch(`${server.url}/jwks`, { method: 'POST' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.json()).toHaveProperty('error');
  });

  it('Issue #10 §5: the front answers are counted in the request metrics under their route', async () => {
    const scrape = async (): Promise<number> => {
      const text = await (await fetch(`${server.server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${'a'.repeat(40)}` } })).text();
      const line = text.split('\n').find((l) => l.startsWith('latchkey_http_request_duration_seconds_count{') && l.includes('route="/jwks"') && l.includes('method="GET"') && l.includes('status_class="2xx"'));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const before = await scrape();
    for (let i = 0; i < 3; i++) await fetch(`${server.url}/jwks`);
    expect(await scrape()).toBe(before + 3);
  });
});
