// Issue 9 item 4: rate limits per IP and per client, counted in the database, answered with 429 and Retry-After.
import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { registerErrorHandler } from '../../src/http/error-handler.js';
import { registerFormParser } from '../../src/http/input-limits.js';
import { registerRateLimits } from '../../src/http/rate-limit.js';
import { bufferRateLimitCounters, RATE_LIMIT_SYNC_MS } from '../../src/protocol/rate-limits/buffered-counters.js';
import { enforceRateLimit, enforceRateLimitNow } from '../../src/protocol/rate-limits/rate-limit.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('RFC 6585 §4: dynamic registration is rate-limited per IP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'open', LATCHKEY_RATE_LIMITS: '{"registration": {"perIp": 3, "windowSeconds": 3600}}' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the hit over the limit is 429 too_many_requests with Retry-After, and registers nothing', async () => {
    const register = (): Promise<Response> => fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(METADATA) });
    for (let i = 0; i < 3; i++) expect((await register()).status).toBe(201);
    const before = (await server.server.deps.storage.clients.list()).length;
    const refused = await register();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ error: 'too_many_requests' });
    expect((await server.server.deps.storage.clients.list()).length).toBe(before);
  });

  it('a refused hit is counted before the body is read: an oversized or malformed body is still 429', async () => {
    const response = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(response.status).toBe(429);
  });
});

describe('the real /token, /introspect and /revoke routes take their limits from LATCHKEY_RATE_LIMITS', () => {
  it('the hit over the per-client limit at /token is 429 even with a wrong secret (guessing is counted too)', async () => {
    const server = await startTestServer({ env: { LATCHKEY_RATE_LIMITS: '{"token": {"perClient": 2}, "introspection": {"perIp": 1}}' } });
    try {
      const token = (): Promise<Response> => fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=guess&client_secret=wrong' });
      expect((await token()).status).toBe(401);
      expect((await token()).status).toBe(401);
      const refused = await token();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      const introspect = (): Promise<Response> => fetch(`${server.url}/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
      expect((await introspect()).status).toBe(401);
      expect((await introspect()).status).toBe(429);
    } finally {
      await server.close();
    }
  });
});

describe('login and PAR on the real server', () => {
  it('login is limited per IP and PAR per client, before any password is checked or request stored', async () => {
    const server = await startTestServer({ env: { LATCHKEY_RATE_LIMITS: '{"login": {"perIp": 2}, "par": {"perClient": 1}}' } });
    try {
      const login = (): Promise<Response> => fetch(`${server.url}/interaction/nope/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=alice&password=guess', redirect: 'manual' });
      expect((await login()).status).not.toBe(429);
      expect((await login()).status).not.toBe(429);
      expect((await login()).status).toBe(429);
      const par = (): Promise<Response> => fetch(`${server.url}/par`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=some-client&response_type=code' });
      expect((await par()).status).not.toBe(429);
      const refused = await par();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
    } finally {
      await server.close();
    }
  });
});

describe('per-client limits and window roll-over, on routes registered after the hook (token, PAR, login)', () => {
  let storage: Storage;
  let base: string;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const app = Fastify();

  beforeAll(async () => {
    storage = await openStorage('sqlite::memory:');
    const config = loadConfig({ env: { LATCHKEY_RATE_LIMITS: '{"token": {"perIp": 100, "perClient": 2, "windowSeconds": 60}, "login": {"perIp": 2}}' } });
    registerErrorHandler(app);
    registerRateLimits(app, { config, storage, clock });
    registerFormParser(app);
    app.post('/token', async () => ({ ok: true }));
    app.get('/token', async () => ({ ok: true })); // not POST: not limited
    app.post('/interaction/:id/login', async () => ({ ok: true }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await storage.close();
  });

  const token = (form: Record<string, string>, authorization?: string): Promise<Response> =>
    fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== undefined && { authorization }) }, body: new URLSearchParams(form).toString() });

  it('counts per client_id, from the form or from Basic credentials, each client separately', async () => {
    const basic = `Basic ${Buffer.from('client-a:secret').toString('base64')}`;
    expect((await token({ client_id: 'client-a' })).status).toBe(200);
    expect((await token({}, basic)).status).toBe(200);
    const refused = await token({ client_id: 'client-a' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect((await token({ client_id: 'client-b' })).status).toBe(200);
    expect((await fetch(`${base}/token`)).status).toBe(200);
  });

  it('sliding window: the previous window still weighs at the start of the next; refused hits count too, so a client that keeps hammering stays out until it pauses', async () => {
    clock.advance(60_000); // next window: the previous count (3) weighs fully
    expect((await token({ client_id: 'client-a' })).status).toBe(429);
    clock.advance(59_000); // 98% of the previous window slid out, but this window already holds a refused hit and this one
    expect((await token({ client_id: 'client-a' })).status).toBe(429);
    clock.advance(120_000); // a full quiet window
    expect((await token({ client_id: 'client-a' })).status).toBe(200);
  });

  it('login is limited per IP (password guessing)', async () => {
    const login = (): Promise<Response> => fetch(`${base}/interaction/x/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&password=b' });
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(429);
  });
});

describe('Issue #10 §2: hits are counted in memory and shared through the database within the sync interval', () => {
  it('two processes on one database: each counts its own hits at once, and sees the other\'s at most one sync interval late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-rate-'));
    const url = `sqlite:${join(dir, 'shared.db')}`;
    const first = await openStorage(url);
    const second = await openStorage(url);
    try {
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
      const a = { counters: bufferRateLimitCounters(first.rateLimits, clock), clock };
      const b = { counters: bufferRateLimitCounters(second.rateLimits, clock), clock };
      const hit = (process: typeof a): Promise<number> => enforceRateLimit('token:client:c', 10, 60, process).then(() => 200, (error: { code?: string }) => (error.code === 'too_many_requests' ? 429 : 500));
      for (let i = 0; i < 10; i++) expect(await hit(a)).toBe(200);
      expect(await hit(a)).toBe(429); // exact within one process, however few writes it made
      expect(await hit(b)).toBe(200); // A has written only its first hit so far: B may admit within the bound
      await a.counters.flush(); // A's timer: its 10 other hits reach the table
      expect(await hit(b)).toBe(200); // B read the table less than a sync interval ago and counts locally
      clock.advance(RATE_LIMIT_SYNC_MS);
      expect(await hit(b)).toBe(429); // a sync interval later B reads the shared count: 11 + 3 > 10
      expect(await first.rateLimits.hit('token:client:c', Date.UTC(2026, 0, 1, 12, 0, 0), 60_000, 0)).toEqual({ count: 14, previousCount: 0 }); // every hit of both reached the table
    } finally {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a check without waiting (enforceRateLimitNow) counts in memory only while the counts are fresh, and refuses exactly as the awaited check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-rate-'));
    const storage = await openStorage(`sqlite:${join(dir, 'now.db')}`);
    try {
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
      const deps = { counters: bufferRateLimitCounters(storage.rateLimits, clock), clock };
      expect(enforceRateLimitNow('k', 3, 60, deps)).toBe(false); // never read: nothing counted, the awaited check is the way
      await enforceRateLimit('k', 3, 60, deps); // hit 1, and the counts are now in memory
      expect(enforceRateLimitNow('k', 3, 60, deps)).toBe(true); // hit 2
      expect(enforceRateLimitNow('k', 3, 60, deps)).toBe(true); // hit 3
      expect(() => enforceRateLimitNow('k', 3, 60, deps)).toThrow(expect.objectContaining({ code: 'too_many_requests', headers: { 'retry-after': '60' } }));
      clock.advance(RATE_LIMIT_SYNC_MS);
      expect(enforceRateLimitNow('k', 3, 60, deps)).toBe(false); // stale: read the shared count first
      await expect(enforceRateLimit('k', 3, 60, deps)).rejects.toMatchObject({ code: 'too_many_requests' });
      await deps.counters.flush();
      expect(await storage.rateLimits.hit('k', Date.UTC(2026, 0, 1, 12, 0, 0), 60_000, 0)).toEqual({ count: 5, previousCount: 0 }); // every hit, refused ones too
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LATCHKEY_RATE_LIMITS is validated at start', () => {
  it.each(['{"tokn": {"perIp": 1}}', '{"token": {"perIp": -1}}', '{"token": {"windowSeconds": 0}}', 'nope'])('refuses %s', (value) => {
    expect(() => loadConfig({ env: { LATCHKEY_RATE_LIMITS: value } })).toThrow(/LATCHKEY_RATE_LIMITS/);
  });
});
