// The outbound guard. Only loopback is ever connected to; forbidden non-loopback targets are decided on through
// an injected resolver and must fail before any connection is attempted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOutboundAllowList } from './address-policy.js';
import { guardedGet, outboundUrlProblem, resolveOutboundTarget, type Resolver } from './guarded-fetch.js';

let server: Server;
let port: number;
let seen = 0;
let answer: (respond: (status: number, body: string, headers?: Record<string, string>) => void, host: string | undefined) => void = (respond) => respond(200, 'ok');

beforeAll(async () => {
  server = createServer((request, response) => {
    seen++;
    answer((status, body, headers = {}) => {
      response.writeHead(status, headers);
      response.end(body);
    }, request.headers.host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const resolvesTo = (...addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const noDns: Resolver = async () => {
  throw new Error('no DNS in this test');
};

describe('issue 9 item 3: outbound requests to client-supplied URLs', () => {
  it('refuses plain http, credentials and forbidden IP literals without DNS', () => {
    expect(outboundUrlProblem('http://keys.example/jwks')).toBe('must use https');
    expect(outboundUrlProblem('https://user:pw@keys.example/jwks')).toContain('credentials');
    expect(outboundUrlProblem('https://169.254.169.254/latest/meta-data/')).toContain('link-local');
    expect(outboundUrlProblem('https://[fd00:ec2::254]/')).toContain('unique local');
    expect(outboundUrlProblem('https://[::ffff:169.254.169.254]/')).toContain('link-local');
    expect(outboundUrlProblem('https://0x7f.1/')).toContain('loopback'); // WHATWG URL normalises odd IPv4 spellings
    expect(outboundUrlProblem('https://2130706433/')).toContain('loopback');
    expect(outboundUrlProblem('https://keys.example/jwks')).toBeUndefined();
  });

  it('DNS: a host name resolving to the metadata address is refused before any connection', async () => {
    await expect(resolveOutboundTarget('https://evil.example/jwks', { resolve: resolvesTo('169.254.169.254') })).rejects.toMatchObject({ reason: expect.stringContaining('link-local') });
    await expect(guardedGet('https://evil.example/jwks', { resolve: resolvesTo('fd00:ec2::254') })).rejects.toMatchObject({ reason: expect.stringContaining('non-public') });
  });

  it('DNS rebinding: one forbidden answer among public ones refuses the lot', async () => {
    await expect(resolveOutboundTarget('https://rebind.example/', { resolve: resolvesTo('93.184.215.14', '10.0.0.5') })).rejects.toMatchObject({ reason: expect.stringContaining('private') });
  });

  it('DNS rebinding: the connection goes to the checked address, not a second DNS answer, and keeps the Host header', async () => {
    // The resolver answers 127.0.0.1 once, then 127.0.0.2 (where nothing listens): a second lookup would fail.
    let asked = 0;
    const flipping: Resolver = async () => [{ address: asked++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    let host: string | undefined;
    answer = (respond, h) => {
      host = h;
      respond(200, 'pinned');
    };
    const before = seen;
    const response = await guardedGet(`http://rebind.test:${port}/`, { resolve: flipping, allowLoopbackHttp: true });
    expect(response.body.toString()).toBe('pinned');
    expect(asked).toBe(1);
    expect(seen - before).toBe(1);
    expect(host).toBe(`rebind.test:${port}`);
  });

  it('http with the loopback opt-in still needs every address to be loopback', async () => {
    await expect(resolveOutboundTarget('http://mixed.test/', { allowLoopbackHttp: true, resolve: resolvesTo('127.0.0.1', '93.184.215.14') })).rejects.toMatchObject({ reason: 'must use https' });
  });

  it('loopback is refused unless explicitly opted in, and the listener there sees no request', async () => {
    const before = seen;
    await expect(guardedGet(`http://127.0.0.1:${port}/`, { resolve: noDns })).rejects.toMatchObject({ reason: 'must use https' });
    await expect(guardedGet(`https://127.0.0.1:${port}/`, { resolve: noDns })).rejects.toMatchObject({ reason: expect.stringContaining('loopback') });
    await expect(guardedGet(`https://localhost.example:${port}/`, { resolve: resolvesTo('127.0.0.1') })).rejects.toMatchObject({ reason: expect.stringContaining('loopback') });
    expect(seen).toBe(before);
  });

  it('the allow-list admits an internal host or range (https still required)', async () => {
    const allow = parseOutboundAllowList('keys.corp.example, 10.0.0.0/8');
    await expect(resolveOutboundTarget('https://keys.corp.example/', { allow, resolve: resolvesTo('192.168.1.1') })).resolves.toMatchObject({ address: { address: '192.168.1.1' } });
    await expect(resolveOutboundTarget('https://other.example/', { allow, resolve: resolvesTo('10.9.9.9') })).resolves.toMatchObject({ address: { address: '10.9.9.9' } });
    await expect(resolveOutboundTarget('https://other.example/', { allow, resolve: resolvesTo('192.168.1.1') })).rejects.toMatchObject({ reason: expect.stringContaining('private') });
    expect(outboundUrlProblem('http://keys.corp.example/', { allow })).toBe('must use https');
  });

  it('does not follow redirects, caps the size (declared or streamed) and times out', async () => {
    const get = (path: string, extra = {}): Promise<unknown> => guardedGet(`http://127.0.0.1:${port}${path}`, { allowLoopbackHttp: true, ...extra });
    answer = (respond) => respond(302, '', { location: 'http://169.254.169.254/' });
    await expect(get('/redirect')).rejects.toMatchObject({ reason: 'redirects are not followed' });
    answer = (respond) => respond(200, 'x'.repeat(5000));
    await expect(get('/big', { maxBytes: 1000 })).rejects.toMatchObject({ reason: expect.stringContaining('larger than 1000') });
    answer = (respond) => respond(200, 'x'.repeat(5000), { 'transfer-encoding': 'chunked' });
    await expect(get('/big-chunked', { maxBytes: 1000 })).rejects.toMatchObject({ reason: expect.stringContaining('larger than 1000') });
    answer = () => undefined;
    const started = Date.now();
    await expect(get('/slow', { timeoutMs: 150 })).rejects.toMatchObject({ reason: expect.stringContaining('did not answer') });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
