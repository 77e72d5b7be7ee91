// Issue #10 §5: Prometheus metrics at GET /metrics on the admin listener, over real HTTP: the format parses, the
// figures move with the requests made, and the public listener does not serve them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENV, ADMIN_TOKEN } from '../support/admin.js';
import { freePort } from '../support/free-port.js';
import { killLeftoverProcesses, startLatchkeyServer } from '../support/latchkey-process.js';
import { authorizeOverHttp, codeRequest, createAuthorizationClient, createTestUser } from '../support/authorization-fixtures.js';
import { HttpAgent } from '../support/http-agent.js';
import { createTestClient, endpoints, issueUserTokens, type TestClient } from '../support/token-fixtures.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** One parsed sample line. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedExposition {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/y;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;

/** A strict reader of the text format 0.0.4: throws on any line outside the grammar. */
export function parseExposition(text: string): ParsedExposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: ParsedSample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const name = line.slice(7).split(' ')[0] ?? '';
      if (!METRIC_NAME.test(name) || helped.has(name)) throw new Error(`bad or repeated HELP: ${line}`);
      helped.add(name);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name = '', type = '', ...rest] = line.slice(7).split(' ');
      if (!METRIC_NAME.test(name) || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type) || rest.length > 0 || types.has(name)) throw new Error(`bad TYPE: ${line}`);
      types.set(name, type);
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    if (nameEnd <= 0 || !METRIC_NAME.test(name)) throw new Error(`bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) {
      let at = 1;
      while (rest[at] !== '}') {
        LABEL.lastIndex = at;
        const match = LABEL.exec(rest);
        if (match === null) throw new Error(`bad label set: ${line}`);
        const [, labelName = '', raw = ''] = match;
        if (labelName in labels) throw new Error(`repeated label: ${line}`);
        labels[labelName] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
        at = LABEL.lastIndex;
        if (rest[at] === ',') at++;
        else if (rest[at] !== '}') throw new Error(`bad label set: ${line}`);
      }
      rest = rest.slice(at + 1);
    }
    const value = rest.startsWith(' ') ? rest.slice(1) : '';
    if (!VALUE.test(value)) throw new Error(`bad value: ${line}`);
    const family = [name, name.replace(/_(bucket|sum|count)$/, '')].find((candidate) => types.has(candidate));
    if (family === undefined) throw new Error(`sample before its TYPE: ${line}`);
    samples.push({ name, labels, value: value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value) });
  }
  return { types, samples };
}

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The value of one series (0 when it does not exist yet: a counter not yet incremented). */
export function valueOf(exposition: ParsedExposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples.find((sample) => sample.name === name && sameLabels(sample.labels, labels))?.value ?? 0;
}

/** Every histogram series: buckets in ascending `le`, cumulative, ending at +Inf equal to _count; _sum present. */
export function checkHistograms(exposition: ParsedExposition): number {
  let checked = 0;
  for (const [family, type] of exposition.types) {
    if (type !== 'histogram') continue;
    const counts = exposition.samples.filter((sample) => sample.name === `${family}_count`);
    for (const count of counts) {
      const buckets = exposition.samples.filter((sample) => {
        if (sample.name !== `${family}_bucket`) return false;
        const { le, ...others } = sample.labels;
        return le !== undefined && sameLabels(others, count.labels);
      });
      const bounds = buckets.map((bucket) => (bucket.labels.le === '+Inf' ? Infinity : Number(bucket.labels.le)));
      expect(bounds.length).toBeGreaterThan(1);
      expect(bounds.at(-1)).toBe(Infinity);
      for (let i = 1; i < buckets.length; i++) {
        expect(bounds[i]).toBeGreaterThan(bounds[i - 1] as number);
        expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value as number);
      }
      expect(buckets.at(-1)?.value).toBe(count.value);
      expect(exposition.samples.some((sample) => sample.name === `${family}_sum` && sameLabels(sample.labels, count.labels))).toBe(true);
      checked++;
    }
  }
  return checked;
}

async function scrape(server: TestServer): Promise<ParsedExposition> {
  const response = await fetch(`${server.server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

const REQUESTS = 'latchkey_http_request_duration_seconds_count';

describe('Issue #10 §5: Prometheus metrics on the admin listener', () => {
  let server: TestServer;
  let client: TestClient;
  let api: ReturnType<typeof endpoints>;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...ADMIN_ENV, LATCHKEY_RATE_LIMITS: '{"token": {"perClient": 3}}' } });
    client = await createTestClient(server);
    api = endpoints(server);
  });
  afterAll(() => server?.close());

  it('serves the text format 0.0.4 with the admin token only, and only on the admin listener', async () => {
    const response = await fetch(`${server.server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const exposition = parseExposition(await response.text());
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(exposition.types.has(name), name).toBe(true);
    }
    expect(valueOf(exposition, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(valueOf(exposition, 'latchkey_db_pool_connections')).toBe(1); // SQLite: the one connection
    expect(exposition.types.get('latchkey_db_pool_waiting')).toBe('gauge');

    for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`]) {
      const refused = await fetch(`${server.server.adminUrl}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('process_cpu');
    }
    const publicListener = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(publicListener.status).toBe(404);
    expect(await publicListener.text()).not.toContain('process_cpu');
  });

  it('a token issued moves the token counter and the /token histogram by one; buckets stay cumulative', async () => {
    const before = await scrape(server);
    const issued = await api.token(client, { grant_type: 'client_credentials' });
    expect(issued.status).toBe(200);
    const after = await scrape(server);
    const opaque = { grant_type: 'client_credentials', token_kind: 'access_token_opaque' };
    expect(valueOf(after, 'latchkey_tokens_issued_total', opaque)).toBe(valueOf(before, 'latchkey_tokens_issued_total', opaque) + 1);
    const tokenOk = { route: '/token', method: 'POST', status_class: '2xx' };
    expect(valueOf(after, REQUESTS, tokenOk)).toBe(valueOf(before, REQUESTS, tokenOk) + 1);
    expect(valueOf(after, 'latchkey_http_request_duration_seconds_sum', tokenOk)).toBeGreaterThan(valueOf(before, 'latchkey_http_request_duration_seconds_sum', tokenOk));
    expect(checkHistograms(after)).toBeGreaterThan(0);
  });

  it('labels the outcome with the status class and the OAuth error code, and a refresh grant by its token kinds', async () => {
    const before = await scrape(server);
    const wrongSecret = await endpoints(server).token({ ...client, basic: `Basic ${Buffer.from(`${client.clientId}:wrong`).toString('base64')}` }, { grant_type: 'client_credentials' });
    expect(wrongSecret.status).toBe(401);
    const other = await createTestClient(server);
    const { refreshToken } = await issueUserTokens(server, other);
    expect((await api.refresh(other, refreshToken)).status).toBe(200);
    const after = await scrape(server);
    const invalidClient = { route: '/token', method: 'POST', status_class: '4xx', error: 'invalid_client' };
    expect(valueOf(after, REQUESTS, invalidClient)).toBe(valueOf(before, REQUESTS, invalidClient) + 1);
    for (const kind of ['access_token_opaque', 'refresh_token']) {
      const labels = { grant_type: 'refresh_token', token_kind: kind };
      expect(valueOf(after, 'latchkey_tokens_issued_total', labels), kind).toBe(valueOf(before, 'latchkey_tokens_issued_total', labels) + 1);
    }
  });

  it('labels a request no route matched "unmatched", never with the raw URL (bounded cardinality)', async () => {
    const before = await scrape(server);
    expect((await fetch(`${server.url}/no/such/path-8d1f?code=secret-looking`)).status).toBe(404);
    const text = await (await fetch(`${server.server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(text).not.toContain('8d1f');
    const unmatched = { route: 'unmatched', method: 'GET', status_class: '4xx', error: 'not_found' };
    expect(valueOf(parseExposition(text), REQUESTS, unmatched)).toBe(valueOf(before, REQUESTS, unmatched) + 1);
  });

  it('RFC 9700 §4.14.2: a refresh token replayed after rotation moves the reuse counter by one', async () => {
    const before = await scrape(server);
    const other = await createTestClient(server);
    const { refreshToken } = await issueUserTokens(server, other);
    expect((await api.refresh(other, refreshToken)).status).toBe(200);
    expect((await api.refresh(other, refreshToken)).body.error).toBe('invalid_grant');
    const after = await scrape(server);
    expect(valueOf(after, 'latchkey_refresh_token_reuse_detected_total')).toBe(valueOf(before, 'latchkey_refresh_token_reuse_detected_total') + 1);
  });

  it('a failed password login moves the login failure counter by one, by reason', async () => {
    await createTestUser(server, 'metered');
    const authClient = await createAuthorizationClient(server);
    const before = await scrape(server);
    await authorizeOverHttp(new HttpAgent(server.url), codeRequest(authClient).path, { username: 'metered', password: 'not-the-password' });
    const after = await scrape(server);
    const reason = { reason: 'wrong_password' };
    expect(valueOf(after, 'latchkey_login_failures_total', reason)).toBe(valueOf(before, 'latchkey_login_failures_total', reason) + 1);
  });

  it('issue 9 §4: a request refused by the rate limit moves the rejection counter and the 429 series', async () => {
    const limited = await createTestClient(server);
    const before = await scrape(server);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.token(limited, { grant_type: 'client_credentials' })).status);
    const refused = statuses.filter((status) => status === 429).length;
    expect(refused).toBeGreaterThan(0);
    const after = await scrape(server);
    expect(valueOf(after, 'latchkey_rate_limit_rejections_total', { route: '/token' })).toBe(valueOf(before, 'latchkey_rate_limit_rejections_total', { route: '/token' }) + refused);
    const tooMany = { route: '/token', method: 'POST', status_class: '4xx', error: 'too_many_requests' };
    expect(valueOf(after, REQUESTS, tooMany)).toBe(valueOf(before, REQUESTS, tooMany) + refused);
  });
});

describePostgres('Issue #10 §5: the PostgreSQL pool in the metrics', () => {
  it('reports the pg pool: connections open, idle, and none waiting when idle', async () => {
    const server = await startTestServer({ databaseUrl: await createPostgresDatabase(), env: { ...ADMIN_ENV, LATCHKEY_DATABASE_POOL_SIZE: '4' } });
    try {
      const client = await createTestClient(server);
      await Promise.all(Array.from({ length: 6 }, () => endpoints(server).token(client, { grant_type: 'client_credentials' }))); // opens more than one connection
      const exposition = await scrape(server);
      const total = valueOf(exposition, 'latchkey_db_pool_connections');
      expect(total).toBeGreaterThanOrEqual(1);
      expect(total).toBeLessThanOrEqual(4);
      expect(valueOf(exposition, 'latchkey_db_pool_idle_connections')).toBe(total); // nothing in flight during the scrape
      expect(valueOf(exposition, 'latchkey_db_pool_waiting')).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('Issue #10 §4 and §5: under serve --workers 2, any worker answers a scrape for the whole cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'latchkey-metrics-workers-'));
  afterAll(async () => {
    await killLeftoverProcesses();
    rmSync(root, { recursive: true, force: true });
  });

  it('sums the request counters over both workers and labels each worker\'s gauges', async () => {
    const adminPort = await freePort();
    const server = await startLatchkeyServer({ dataDir: root, env: () => ({ LATCHKEY_WORKERS: '2', LATCHKEY_ADMIN_PORT: String(adminPort), LATCHKEY_ADMIN_TOKEN: ADMIN_TOKEN }) });
    try {
      const scrapeCluster = async (): Promise<ParsedExposition> => {
        const response = await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, connection: 'close' } });
        expect(response.status).toBe(200);
        return parseExposition(await response.text());
      };
      const jwks = { route: '/jwks', method: 'GET', status_class: '2xx' };
      const before = valueOf(await scrapeCluster(), REQUESTS, jwks);
      for (let i = 0; i < 20; i++) expect((await fetch(`${server.url}/jwks`, { headers: { connection: 'close' } })).status).toBe(200); // new connections: both workers serve
      // Each scrape lands on either worker (a new connection each); every one counts all 20.
      for (let i = 0; i < 4; i++) {
        const exposition = await scrapeCluster();
        expect(valueOf(exposition, REQUESTS, jwks)).toBe(before + 20);
        expect(valueOf(exposition, 'latchkey_cluster_workers', { state: 'answered' })).toBe(2);
        const rss = exposition.samples.filter((sample) => sample.name === 'process_resident_memory_bytes');
        expect(rss.map((sample) => sample.labels.worker).sort()).toEqual(['1', '2']);
        checkHistograms(exposition);
      }
    } finally {
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    }
  });
});

describe('parseExposition (the test parser itself)', () => {
  it('rejects lines outside the grammar', () => {
    expect(() => parseExposition('# TYPE a counter\na 1\n')).not.toThrow();
    for (const bad of ['a 1\n', '# TYPE a counter\na{b="c} 1\n', '# TYPE a counter\na one\n', '# TYPE a counter\na 1', '# TYPE a wrong\n', '# TYPE a counter\na{b="1",b="2"} 1\n']) {
      expect(() => parseExposition(bad), bad).toThrow();
    }
  });
});
