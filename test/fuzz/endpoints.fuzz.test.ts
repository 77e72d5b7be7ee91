// Issue 9 item 5: a property-based fuzz suite over every endpoint that exists, through real loopback HTTP.
// Random and mutated requests (parameters dropped, duplicated, swapped between clients, oversized, injection
// strings, wrong methods and content types, broken encodings). Properties: never a 5xx; never a stack trace or SQL
// text in a body; never a redirect; never a token or credential in a failed response; a token only for a request
// that carried the right credentials; /readyz still 200 afterwards.
// Fixed seed in CI; LATCHKEY_FUZZ_SEED=<n> replays or explores, LATCHKEY_FUZZ_RUNS=<n> sets the count per property.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENV, ADMIN_TOKEN } from '../support/admin.js';
import { createTestClient, issueUserTokens, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SEED = process.env.LATCHKEY_FUZZ_SEED === undefined ? 0x1a7c4e : Number(process.env.LATCHKEY_FUZZ_SEED);
const RUNS = process.env.LATCHKEY_FUZZ_RUNS === undefined ? 150 : Number(process.env.LATCHKEY_FUZZ_RUNS);

let server: TestServer;
let a: TestClient;
let b: TestClient;
const credentials = new Map<string, string>(); // client_id → secret: the only pairs that may earn a token
const values: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({
    env: {
      ...ADMIN_ENV,
      LATCHKEY_REGISTRATION: 'open',
      // Limits far above the run's volume: the suite fuzzes the endpoints, not the limiter (which has its own tests).
      LATCHKEY_RATE_LIMITS: JSON.stringify(Object.fromEntries(['registration', 'token', 'introspection', 'revocation', 'par', 'login'].map((e) => [e, { perIp: 1_000_000, perClient: 1_000_000 }]))),
    },
  });
  a = await createTestClient(server);
  b = await createTestClient(server, { accessTokenFormat: 'jwt' });
  credentials.set(a.clientId, a.secret).set(b.clientId, b.secret);
  const tokens = await issueUserTokens(server, a);
  Object.assign(values, {
    clientA: a.clientId, secretA: a.secret, clientB: b.clientId, secretB: b.secret,
    accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

// ---- generators ---------------------------------------------------------------------------------------------

const INJECTIONS = [
  "' OR '1'='1", "'; DROP TABLE clients; --", '" OR 1=1 --', '1 UNION SELECT * FROM signing_keys', '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '../../../../etc/passwd', '${jndi:ldap://127.0.0.1/a}', '{{7*7}}',
  '%00', '\u0000', '\u202e', '\ud800', 'ï»¿', '%FF%FE', '%E2%82', '__proto__', 'constructor', 'null', 'undefined', 'NaN',
  '-1', '1e309', '9'.repeat(40), ' ', '+', '&', '=', '%', '\r\nSet-Cookie: x=y', 'https://evil.example/cb', 'http://169.254.169.254/',
];

const text = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 1, max: 70_000 }).map((n) => 'A'.repeat(n)), // oversized, around every limit
);

type Param = [string, string];

/** What createTestClient registers: the only place a redirect to a client may go. */
const REDIRECT_URI = 'https://app.example.com/callback';

/** A valid request of each kind, as parameters: the seed the mutations start from. */
function baseParams(kind: string): Param[] {
  switch (kind) {
    case 'token-cc': return [['grant_type', 'client_credentials'], ['client_id', values.clientA as string], ['client_secret', values.secretA as string], ['scope', 'read']];
    case 'token-refresh': return [['grant_type', 'refresh_token'], ['refresh_token', values.refreshToken as string], ['client_id', values.clientA as string], ['client_secret', values.secretA as string]];
    case 'introspect': return [['token', values.accessToken as string], ['client_id', values.clientA as string], ['client_secret', values.secretA as string]];
    case 'revoke': return [['token', values.accessToken as string], ['token_type_hint', 'access_token'], ['client_id', values.clientB as string], ['client_secret', values.secretB as string]];
    case 'authorize': return [['response_type', 'code'], ['client_id', values.clientA as string], ['redirect_uri', REDIRECT_URI], ['scope', 'openid read'], ['state', 'st'], ['nonce', 'n'], ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'], ['code_challenge_method', 'S256']];
    case 'par': return [...baseParams('authorize'), ['client_secret', values.secretA as string]];
    case 'login': return [['username', 'alice'], ['password', 'wrong'], ['csrf', 'x']];
    default: return [['redirect_uris', 'https://app.example/cb'], ['client_name', 'fuzz'], ['grant_types', 'authorization_code'], ['token_endpoint_auth_method', 'client_secret_basic']];
  }
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: text }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: fc.oneof(text, fc.constantFrom('grant_type', 'client_id', 'scope', 'token', 'redirect_uri', 'code', 'resource', 'state')) }),
  fc.record({ op: fc.constant('add' as const), name: fc.oneof(text, fc.constantFrom('resource', 'scope', 'code_verifier', 'client_assertion', 'client_assertion_type', 'audience')), value: text }),
  fc.record({ op: fc.constant('swap-client' as const) }), // a credential of one client with the id of the other
);

function mutate(params: Param[], mutations: readonly fc.Arbitrary<never>[] | unknown[]): Param[] {
  let out = params.map((p): Param => [p[0], p[1]]);
  for (const m of mutations as { op: string; at?: number; value?: string; name?: string }[]) {
    const i = out.length === 0 ? 0 : (m.at ?? 0) % out.length;
    if (m.op === 'drop' && out.length > 0) out.splice(i, 1);
    else if (m.op === 'duplicate' && out[i] !== undefined) out.push([out[i][0], out[i][1]]);
    else if (m.op === 'replace' && out[i] !== undefined) out[i] = [out[i][0], m.value ?? ''];
    else if (m.op === 'rename' && out[i] !== undefined) out[i] = [m.name ?? '', out[i][1]];
    else if (m.op === 'add') out.push([m.name ?? '', m.value ?? '']);
    else if (m.op === 'swap-client') out = out.map(([n, v]) => [n, v === values.clientA ? (values.clientB as string) : v === values.clientB ? (values.clientA as string) : v]);
  }
  return out;
}

const PATHS = ['/authorize', '/authorize', '/par', '/interaction/x/login', '/interaction/x/consent', '/userinfo', '/token', '/introspect', '/revoke', '/register', '/register/{clientA}', '/jwks', '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/healthz', '/readyz', '/nope', '/token/..%2f..%2fetc', '/%00', '/register/%27%20OR%201%3D1'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/json', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded; charset=latin1', 'APPLICATION/JSON'];

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly params: Param[];
  readonly encoding: 'form' | 'json' | 'raw-bytes' | 'query';
  readonly auth: 'none' | 'basic-a' | 'basic-b' | 'basic-garbage' | 'bearer-access' | 'bearer-garbage';
  readonly rawBytes: Uint8Array;
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.oneof({ weight: 3, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom(...METHODS) }),
  path: fc.constantFrom(...PATHS),
  contentType: fc.oneof({ weight: 3, arbitrary: fc.constant('application/x-www-form-urlencoded') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  kind: fc.constantFrom('token-cc', 'token-refresh', 'introspect', 'revoke', 'register', 'authorize', 'par', 'login'),
  mutations: fc.array(mutation, { maxLength: 4 }),
  encoding: fc.constantFrom('form', 'form', 'json', 'raw-bytes', 'query'),
  auth: fc.constantFrom('none', 'basic-a', 'basic-b', 'basic-garbage', 'bearer-access', 'bearer-garbage'),
  rawBytes: fc.uint8Array({ maxLength: 200 }),
}).map(({ kind, mutations, ...rest }) => ({ ...rest, params: mutate(baseParams(kind), mutations as unknown[]) }));

// ---- sending and judging ------------------------------------------------------------------------------------------

const basicOf = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function toHttp(request: FuzzRequest): { url: string; init: RequestInit } {
  const path = request.path.replace('{clientA}', values.clientA as string);
  const headers: Record<string, string> = {};
  if (request.contentType !== '') headers['content-type'] = request.contentType;
  const auth = {
    none: undefined,
    'basic-a': basicOf(values.clientA as string, values.secretA as string),
    'basic-b': basicOf(values.clientB as string, values.secretB as string),
    'basic-garbage': 'Basic !!!not-base64',
    'bearer-access': `Bearer ${values.accessToken as string}`,
    'bearer-garbage': 'Bearer \u00ff',
  }[request.auth];
  if (auth !== undefined) headers.authorization = auth;
  const form = request.params.map(([n, v]) => `${encodeURIComponent(safeForUri(n))}=${encodeURIComponent(safeForUri(v))}`).join('&');
  const canHaveBody = request.method !== 'GET' && request.method !== 'HEAD';
  let body: string | Uint8Array | undefined;
  let url = `${server.url}${path}`;
  if (request.encoding === 'query' || !canHaveBody) url += `?${form}`;
  else if (request.encoding === 'json') body = JSON.stringify(Object.fromEntries(request.params.map(([n, v]) => [n, n === 'redirect_uris' || n === 'grant_types' ? [v] : v])));
  else if (request.encoding === 'raw-bytes') body = request.rawBytes;
  else body = form;
  return { url, init: { method: request.method, headers, ...(body !== undefined && canHaveBody && { body }), redirect: 'manual' } };
}

/** Lone surrogates cannot be percent-encoded; keep them as the replacement the wire would carry. */
function safeForUri(value: string): string {
  return value.replace(/[\ud800-\udfff]/g, (c, i: number, s: string) => (/[\ud800-\udbff]/.test(c) && /[\udc00-\udfff]/.test(s[i + 1] ?? '')) || (/[\udc00-\udfff]/.test(c) && /[\ud800-\udbff]/.test(s[i - 1] ?? '')) ? c : '\ufffd');
}

const LEAKS = [
  /\n\s+at .+:\d+:\d+/, // a stack frame
  /node_modules|\/work\/|\/src\/|\.ts:\d+/,
  /SQLITE_|sqlite3?|syntax error at or near|relation "[^"]+" does not exist|violates .* constraint|\bselect\b.+\bfrom\b|\binsert into\b|\bupdate\b.+\bset\b/i,
  /TypeError|ReferenceError|RangeError|Cannot read propert/,
];
/** Keycloak CVE-2020-10776: input reflected unescaped on a page (JSON bodies may quote input; pages must escape it). */
const REFLECTED_MARKUP = /<script>alert|<img src=x onerror|"javascript:alert/i;
const SECRET_MEMBERS = ['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token'];

/** The credential a request presented, if it is one a client really has. */
function presentedValidCredentials(request: FuzzRequest): boolean {
  const form = new Map<string, string[]>();
  for (const [n, v] of request.params) form.set(n, [...(form.get(n) ?? []), v]);
  const basic = request.auth === 'basic-a' ? [values.clientA, values.secretA] : request.auth === 'basic-b' ? [values.clientB, values.secretB] : undefined;
  if (basic !== undefined) return true;
  const ids = form.get('client_id') ?? [];
  const secrets = form.get('client_secret') ?? [];
  return ids.length === 1 && secrets.length === 1 && credentials.get(ids[0] as string) === secrets[0];
}

async function judge(request: FuzzRequest): Promise<void> {
  const { url, init } = toHttp(request);
  const response = await fetch(url, init);
  const body = await response.text();
  const where = `${request.method} ${request.path} (${request.contentType || 'no content type'}, ${request.encoding}) -> ${response.status}: ${body.slice(0, 300)}`;
  expect(response.status, where).toBeLessThan(500);
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400) {
    // Only to the server's own pages, or to the exact registered redirect URI; 303, never 307/308 (RFC 9700 §4.12).
    expect(location, where).not.toBeNull();
    const target = location as string;
    const own = target.startsWith('/') && !target.startsWith('//') ? true : target.startsWith(`${server.url}/`);
    const registered = target === REDIRECT_URI || target.startsWith(`${REDIRECT_URI}?`);
    expect(own || registered, `a redirect to an unregistered URI: ${target} for ${where}`).toBe(true);
    expect([307, 308], where).not.toContain(response.status);
  } else {
    expect(location, where).toBeNull();
  }
  for (const leak of LEAKS) expect(body, where).not.toMatch(leak);
  if (response.headers.get('content-type')?.startsWith('text/html') === true) expect(body, where).not.toMatch(REFLECTED_MARKUP);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (response.status >= 400) {
    for (const member of SECRET_MEMBERS) expect(json?.[member], where).toBeUndefined();
  }
  if (typeof json?.access_token === 'string') {
    expect(request.path, where).toBe('/token');
    expect(presentedValidCredentials(request), `a token for a request without valid credentials: ${where}`).toBe(true);
  }
}

describe(`issue 9 item 5: fuzzing every endpoint over HTTP (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it('random and mutated requests: no 5xx, no leak or reflected markup, redirects only to own pages or the registered URI, no token without credentials', async () => {
    await fc.assert(fc.asyncProperty(fuzzRequest, judge), { seed: SEED, numRuns: RUNS * 4, endOnFailure: true });
  }, 120_000);

  it('the admin API: list cursors, limits and client documents', async () => {
    const admin = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      path: fc.oneof(
        fc.tuple(text, text).map(([after, limit]) => `/admin/clients?after=${encodeURIComponent(safeForUri(after))}&limit=${encodeURIComponent(safeForUri(limit))}`),
        text.map((id) => `/admin/clients/${encodeURIComponent(safeForUri(id)).slice(0, 3000)}`),
        fc.constant('/admin/registration-tokens'),
      ),
      body: fc.oneof(fc.json({ maxDepth: 12 }), fc.constant('{"redirect_uris": ["javascript:alert(1)"]}'), text),
      token: fc.constantFrom(ADMIN_TOKEN, 'wrong', ''),
    });
    await fc.assert(
      fc.asyncProperty(admin, async ({ method, path, body, token }) => {
        const response = await fetch(`${server.server.adminUrl as string}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(method === 'POST' || method === 'PUT' ? { body } : {}),
        });
        const text = await response.text();
        const where = `${method} ${path} -> ${response.status}: ${text.slice(0, 300)}`;
        expect(response.status, where).toBeLessThan(500);
        for (const leak of LEAKS) expect(text, where).not.toMatch(leak);
        // Without the admin token nothing succeeds (a malformed request may be refused before authentication).
        if (token !== ADMIN_TOKEN) expect([400, 401, 413, 415, 431], where).toContain(response.status);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('the server is still ready afterwards, and the seeded clients still work', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const response = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: b.basic }, body: 'grant_type=client_credentials&scope=read' });
    expect(response.status).toBe(200);
  });
});
