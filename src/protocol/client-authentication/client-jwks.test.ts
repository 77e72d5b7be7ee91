import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { createClientJwksSource } from './client-jwks.js';

// A loopback host whose answer each test sets: the fetcher is tested against real HTTP.
let server: Server;
let base: string;
let handler: (path: string, respond: (status: number, body: string, headers?: Record<string, string>) => void) => void;
let fetches = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    fetches++;
    handler(request.url ?? '/', (status, body, headers = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const KEYS = JSON.stringify({ keys: [{ kty: 'EC', kid: 'a' }] });

describe('RFC 7591 §2 jwks_uri: fetching a client key set', () => {
  it('refuses anything but https unless loopback http is explicitly allowed', async () => {
    const strict = createClientJwksSource({ clock: new ManualClock(), allowLoopbackHttp: false });
    await expect(strict.get(`${base}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
    const loose = createClientJwksSource({ clock: new ManualClock(), allowLoopbackHttp: true });
    await expect(loose.get('http://app.example/jwks')).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('caches for the TTL, refetches after it, and rate-limits forced refreshes', async () => {
    handler = (_path, respond) => respond(200, KEYS);
    const clock = new ManualClock();
    const source = createClientJwksSource({ clock, allowLoopbackHttp: true, ttlMs: 60_000, refreshCooldownMs: 10_000 });
    const start = fetches;
    await source.get(`${base}/cache`);
    await source.get(`${base}/cache`);
    await source.get(`${base}/cache`, { refresh: true }); // inside the cooldown: served from cache
    expect(fetches - start).toBe(1);
    clock.advance(11_000);
    await source.get(`${base}/cache`, { refresh: true });
    expect(fetches - start).toBe(2);
    clock.advance(61_000);
    expect(await source.get(`${base}/cache`)).toEqual(JSON.parse(KEYS));
    expect(fetches - start).toBe(3);
  });

  it('gives up after the timeout', async () => {
    handler = () => undefined; // never answers
    const source = createClientJwksSource({ clock: new ManualClock(), allowLoopbackHttp: true, timeoutMs: 200 });
    const started = Date.now();
    await expect(source.get(`${base}/slow`)).rejects.toMatchObject({ code: 'invalid_client', description: expect.stringContaining('could not be fetched') });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a document over the size cap, declared or streamed', async () => {
    const big = JSON.stringify({ keys: [{ kty: 'EC', pad: 'x'.repeat(10_000) }] });
    const source = createClientJwksSource({ clock: new ManualClock(), allowLoopbackHttp: true, maxBytes: 4096 });
    handler = (_path, respond) => respond(200, big);
    await expect(source.get(`${base}/big`)).rejects.toMatchObject({ description: expect.stringContaining('larger than 4096') });
    handler = (_path, respond) => respond(200, big, { 'transfer-encoding': 'chunked' }); // no content-length
    await expect(source.get(`${base}/big-chunked`)).rejects.toMatchObject({ description: expect.stringContaining('larger than 4096') });
  });

  it('refuses redirects, error statuses and documents that are not a JWK Set', async () => {
    const source = createClientJwksSource({ clock: new ManualClock(), allowLoopbackHttp: true });
    handler = (_path, respond) => respond(302, '', { location: 'https://elsewhere.example/jwks' });
    await expect(source.get(`${base}/redirect`)).rejects.toMatchObject({ code: 'invalid_client' });
    handler = (_path, respond) => respond(500, 'oops');
    await expect(source.get(`${base}/error`)).rejects.toMatchObject({ description: expect.stringContaining('HTTP 500') });
    handler = (_path, respond) => respond(200, '{"keys": "none"}');
    await expect(source.get(`${base}/shape`)).rejects.toMatchObject({ description: expect.stringContaining('JWK Set') });
  });
});
