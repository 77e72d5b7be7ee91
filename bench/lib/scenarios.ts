// The measured scenarios, each defined once and prepared for either server (Latchkey or the peer) through `Side`.
import { randomUUID, sign, type KeyObject } from 'node:crypto';
import type autocannon from 'autocannon';
import { authorizePath, codeFrom, CODE_VERIFIER, logIn, type AuthorizationClient } from './browserless.js';
import type { LoadSpec } from './load.js';

/** A Latchkey configuration a scenario needs (each runs as its own `latchkey serve`, one at a time). */
export type Instance = 'default' | 'rs256' | 'info-log';
export type TokenKind = 'opaque' | 'es256' | 'rs256';
export type AuthMethod = 'basic' | 'pkjwt';

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly privateKey?: KeyObject;
  readonly kid?: string;
}

/** How one server spells the scenarios: its paths, its clients and the extra token parameters it needs. */
export interface Side {
  readonly name: 'latchkey' | 'peer';
  readonly paths: { readonly discovery: string; readonly jwks: string; readonly token: string; readonly introspection: string; readonly revocation: string };
  client(kind: TokenKind, auth: AuthMethod): ClientCredentials;
  /** Extra token request parameters, e.g. the peer's resource indicator that selects a JWT. */
  tokenParameters(kind: TokenKind): Record<string, string>;
  instanceFor(kind: TokenKind): Instance;
  baseUrl(instance: Instance): Promise<string>;
  /** A confidential client for the authorization code flow and a user to log in (absent: not scripted for this side). */
  readonly codeFlow?: CodeFlow;
}

export interface CodeFlow {
  readonly client: ClientCredentials & AuthorizationClient;
  readonly username: string;
  readonly password: string;
  /** Endpoint paths: the authorization endpoint and userinfo. */
  readonly authorization: string;
  readonly userinfo: string;
  /** The authorization request the userinfo scenario's tokens come from (default: `client`'s). */
  readonly userinfoClient?: ClientCredentials & AuthorizationClient;
}

export interface Prepared {
  readonly instance: Instance;
  readonly spec: LoadSpec;
  /** Checks one response before the run: undefined when right, else what is wrong. */
  readonly check: (status: number, body: string) => string | undefined;
  /** Replaces the one-request check, for sequences: undefined when a full round trip works, else what is wrong. */
  readonly preflight?: () => Promise<string | undefined>;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** The share of responses that are meant to be non-2xx (the authorization code round trip's 303 from /authorize). */
  readonly expectedNon2xxShare?: number;
  /** undefined: the scenario does not apply to this side (reason given by `skip`). */
  prepare(side: Side, options: { readonly poolSize: number }): Promise<Prepared | { readonly skip: string }>;
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

function basicAuthorization(client: ClientCredentials): string {
  // RFC 6749 §2.3.1: form-urlencode each part before joining.
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret ?? '')}`).toString('base64')}`;
}

/** A fresh RFC 7523 client assertion per call (unique jti), ES256 with node:crypto: cheap on the load core. */
export function clientAssertion(client: ClientCredentials, audience: string): () => string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: client.kid })).toString('base64url');
  const key = client.privateKey;
  if (!key) throw new Error(`${client.clientId} has no private key`);
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ iss: client.clientId, sub: client.clientId, aud: audience, jti: randomUUID(), iat: now, exp: now + 60 })).toString('base64url');
    const input = `${header}.${payload}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
}

const expectJson = (test: (body: Record<string, unknown>) => string | undefined) => (status: number, text: string): string | undefined => {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  try {
    return test(JSON.parse(text) as Record<string, unknown>);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
};

function tokenCheck(kind: TokenKind): (status: number, text: string) => string | undefined {
  return expectJson((body) => {
    const token = body.access_token;
    if (typeof token !== 'string') return `no access_token in ${JSON.stringify(body).slice(0, 200)}`;
    const isJwt = token.split('.').length === 3;
    if (kind === 'opaque' && isJwt) return 'expected an opaque access token, got a JWT';
    if (kind !== 'opaque') {
      if (!isJwt) return 'expected a JWT access token, got an opaque one';
      const alg = (JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as { alg?: string }).alg;
      if (alg !== kind.toUpperCase()) return `expected ${kind.toUpperCase()}, got ${alg}`;
    }
    return undefined;
  });
}

/** The body (and headers) of a client_credentials request, built per request when the client signs assertions. */
function tokenRequest(side: Side, url: string, kind: TokenKind, auth: AuthMethod, extra: Record<string, string> = {}): LoadSpec {
  const client = side.client(kind, auth);
  const fields = { grant_type: 'client_credentials', ...side.tokenParameters(kind), ...extra };
  if (auth === 'basic') {
    return { method: 'POST', path: side.paths.token, headers: { 'content-type': FORM, authorization: basicAuthorization(client) }, body: form(fields) };
  }
  const assertion = clientAssertion(client, `${url}${side.paths.token}`);
  const bodyFor = (): string => form({
    ...fields,
    client_id: client.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion(),
  });
  return {
    method: 'POST',
    path: side.paths.token,
    headers: { 'content-type': FORM },
    body: bodyFor(),
    setupRequest: (request) => ({ ...request, body: bodyFor() }),
  };
}

/** One request through fetch, as the load generator would send it. */
export async function sendOnce(url: string, spec: LoadSpec): Promise<{ status: number; body: string }> {
  const request = spec.setupRequest ? spec.setupRequest({ method: spec.method ?? 'GET', path: spec.path, headers: { ...spec.headers }, ...(spec.body !== undefined && { body: spec.body }) }) : spec;
  const response = await fetch(`${url}${request.path ?? spec.path}`, {
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    ...(request.body !== undefined && { body: String(request.body) }),
  });
  return { status: response.status, body: await response.text() };
}

/** Mints `count` opaque access tokens (20 at a time) for introspection and revocation. */
async function mintPool(side: Side, url: string, count: number): Promise<string[]> {
  const spec = tokenRequest(side, url, 'opaque', 'basic');
  const tokens: string[] = [];
  const worker = async (): Promise<void> => {
    while (tokens.length < count) {
      const { status, body } = await sendOnce(url, spec);
      if (status !== 200) throw new Error(`minting a token: HTTP ${status}: ${body.slice(0, 200)}`);
      tokens.push((JSON.parse(body) as { access_token: string }).access_token);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return tokens.slice(0, count);
}

function get(name: string, title: string, path: (side: Side) => string, check: Prepared['check']): Scenario {
  return {
    name,
    title,
    async prepare(side) {
      return { instance: 'default', spec: { path: path(side) }, check };
    },
  };
}

function clientCredentials(kind: TokenKind, auth: AuthMethod, instance?: Instance): Scenario {
  const label = { opaque: 'opaque', es256: 'JWT ES256', rs256: 'JWT RS256' }[kind];
  return {
    name: `cc-${kind}-${auth}${instance === 'info-log' ? '-info-log' : ''}`,
    title: `client_credentials, ${label}, ${auth === 'basic' ? 'client_secret_basic' : 'private_key_jwt'}${instance === 'info-log' ? ', LATCHKEY_LOG_LEVEL=info' : ''}`,
    async prepare(side) {
      if (instance === 'info-log' && side.name === 'peer') return { skip: 'Latchkey logging comparison only' };
      const chosen = instance ?? side.instanceFor(kind);
      const url = await side.baseUrl(chosen);
      return { instance: chosen, spec: tokenRequest(side, url, kind, auth), check: tokenCheck(kind) };
    },
  };
}

const introspection: Scenario = {
  name: 'introspection',
  title: 'introspection of an opaque token (client_secret_basic)',
  async prepare(side, { poolSize }) {
    const url = await side.baseUrl('default');
    const pool = await mintPool(side, url, Math.min(poolSize, 1000));
    const authorization = basicAuthorization(side.client('opaque', 'basic'));
    let next = 0;
    const bodyFor = (): string => form({ token: pool[next++ % pool.length] as string, token_type_hint: 'access_token' });
    return {
      instance: 'default',
      spec: { method: 'POST', path: side.paths.introspection, headers: { 'content-type': FORM, authorization }, body: bodyFor(), setupRequest: (request) => ({ ...request, body: bodyFor() }) },
      check: expectJson((body) => (body.active === true ? undefined : `expected active: true, got ${JSON.stringify(body).slice(0, 200)}`)),
    };
  },
};

const revocation: Scenario = {
  name: 'revocation',
  title: 'revocation of an opaque access token (client_secret_basic; past the pool, already-revoked tokens)',
  async prepare(side, { poolSize }) {
    const url = await side.baseUrl('default');
    const pool = await mintPool(side, url, poolSize);
    const authorization = basicAuthorization(side.client('opaque', 'basic'));
    let next = 0;
    const bodyFor = (): string => form({ token: pool[next++ % pool.length] as string, token_type_hint: 'access_token' });
    return {
      instance: 'default',
      spec: { method: 'POST', path: side.paths.revocation, headers: { 'content-type': FORM, authorization }, body: bodyFor(), setupRequest: (request) => ({ ...request, body: bodyFor() }) },
      check: (status, body) => (status === 200 ? undefined : `HTTP ${status}: ${body.slice(0, 200)}`),
    };
  },
};

/** One authorization request (session cookie, remembered consent) → code → token request round trip, through fetch. */
async function roundTrip(side: Side, url: string, client: CodeFlow['client'], cookie: string): Promise<Record<string, unknown>> {
  const flow = side.codeFlow as CodeFlow;
  const authorize = await fetch(`${url}${authorizePath(flow.authorization, client)}`, { redirect: 'manual', headers: { cookie } });
  const code = codeFrom(authorize.headers.get('location') ?? undefined, client.redirectUri);
  if (code === undefined) throw new Error(`${flow.authorization} answered ${authorize.status} ${authorize.headers.get('location') ?? ''} instead of a code`);
  const token = await fetch(`${url}${side.paths.token}`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basicAuthorization(client) },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: CODE_VERIFIER }),
  });
  const body = (await token.json()) as Record<string, unknown>;
  if (token.status !== 200) throw new Error(`/token answered ${token.status}: ${JSON.stringify(body).slice(0, 200)}`);
  return body;
}

const authorizationCode: Scenario = {
  name: 'authorization-code',
  expectedNon2xxShare: 0.5, // each round trip is a 303 from /authorize, then a 200 from /token
  title: 'authorization code round trip: /authorize with session cookie and remembered consent → code → /token with id_token (req/s = round trips/s)',
  async prepare(side) {
    const flow = side.codeFlow;
    if (!flow) return { skip: 'the authorization code flow is not scripted for this server' };
    const url = await side.baseUrl('default');
    const { cookie } = await logIn(url, flow.authorization, flow.client, flow.username, flow.password);
    const authorization = basicAuthorization(flow.client);
    const sequence: autocannon.Request[] = [
          {
            method: 'GET',
            path: authorizePath(flow.authorization, flow.client),
            headers: { cookie },
            onResponse: (_status, _body, context, headers) => {
              const location = headers.location ?? headers.Location;
              context.code = codeFrom(Array.isArray(location) ? location[0] : location, flow.client.redirectUri);
            },
          },
          {
            method: 'POST',
            path: side.paths.token,
            headers: { 'content-type': FORM, authorization },
            setupRequest: (request, context) => ({
              ...request,
              body: form({ grant_type: 'authorization_code', code: String(context.code ?? 'missing'), redirect_uri: flow.client.redirectUri, code_verifier: CODE_VERIFIER }),
            }),
          },
    ];
    return {
      instance: 'default',
      spec: { path: '/', sequence },
      check: () => undefined,
      preflight: async () => {
        const body = await roundTrip(side, url, flow.client, cookie);
        if (typeof body.id_token !== 'string') return `no id_token in ${JSON.stringify(body).slice(0, 200)}`;
        if (typeof body.refresh_token !== 'string') return `no refresh_token in ${JSON.stringify(body).slice(0, 200)}`;
        return tokenCheck('es256')(200, JSON.stringify(body)); // both issue RFC 9068 ES256 access tokens here
      },
    };
  },
};

/** Tokens from `count` round trips for `client`, 10 at a time. */
async function codeFlowTokens(side: Side, url: string, client: CodeFlow['client'], count: number): Promise<Record<string, unknown>[]> {
  const flow = side.codeFlow as CodeFlow;
  const { cookie } = await logIn(url, flow.authorization, client, flow.username, flow.password);
  const out: Record<string, unknown>[] = [];
  const worker = async (): Promise<void> => {
    while (out.length < count) out.push(await roundTrip(side, url, client, cookie));
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return out;
}

const refresh: Scenario = {
  name: 'refresh',
  title: 'refresh_token rotation (each request spends a refresh token and returns the next to the pool)',
  async prepare(side) {
    const flow = side.codeFlow;
    if (!flow) return { skip: 'the authorization code flow is not scripted for this server' };
    const url = await side.baseUrl('default');
    const pool = (await codeFlowTokens(side, url, flow.client, 150)).map((body) => body.refresh_token).filter((token): token is string => typeof token === 'string');
    if (pool.length === 0) return { skip: 'no refresh_token from the code flow' };
    const authorization = basicAuthorization(flow.client);
    let last = pool[0] as string;
    const bodyFor = (): string => {
      last = pool.shift() ?? last; // an empty pool means lost tokens (failed rotations): the replay then fails visibly
      return form({ grant_type: 'refresh_token', refresh_token: last });
    };
    return {
      instance: 'default',
      spec: {
        method: 'POST',
        path: side.paths.token,
        headers: { 'content-type': FORM, authorization },
        body: 'placeholder',
        setupRequest: (request) => ({ ...request, body: bodyFor() }),
        onResponse: (status, body) => {
          if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      },
      check: expectJson((body) => (typeof body.refresh_token === 'string' ? undefined : `no refresh_token in ${JSON.stringify(body).slice(0, 200)}`)),
    };
  },
};

const userinfo: Scenario = {
  name: 'userinfo',
  title: 'userinfo, Bearer access token from the code flow (Latchkey: JWT; peer: opaque, the only kind its userinfo accepts)',
  async prepare(side) {
    const flow = side.codeFlow;
    if (!flow) return { skip: 'the authorization code flow is not scripted for this server' };
    const url = await side.baseUrl('default');
    const tokens = (await codeFlowTokens(side, url, flow.userinfoClient ?? flow.client, 20)).map((body) => String(body.access_token));
    let next = 0;
    const headersFor = (): Record<string, string> => ({ authorization: `Bearer ${tokens[next++ % tokens.length]}` });
    return {
      instance: 'default',
      spec: { path: flow.userinfo, headers: headersFor(), setupRequest: (request) => ({ ...request, headers: headersFor() }) },
      check: expectJson((body) => (typeof body.sub === 'string' ? undefined : `no sub in ${JSON.stringify(body).slice(0, 200)}`)),
    };
  },
};

export const SCENARIOS: readonly Scenario[] = [
  get('discovery', 'discovery document', (side) => side.paths.discovery, expectJson((body) => (typeof body.issuer === 'string' ? undefined : 'no issuer'))),
  get('jwks', 'JWKS', (side) => side.paths.jwks, expectJson((body) => (Array.isArray(body.keys) ? undefined : 'no keys'))),
  clientCredentials('opaque', 'basic'),
  clientCredentials('opaque', 'pkjwt'),
  clientCredentials('es256', 'basic'),
  clientCredentials('es256', 'pkjwt'),
  clientCredentials('rs256', 'basic'),
  clientCredentials('rs256', 'pkjwt'),
  introspection,
  revocation,
  refresh,
  userinfo,
  authorizationCode,
  clientCredentials('opaque', 'basic', 'info-log'),
  {
    ...get('discovery-info-log', 'discovery document, LATCHKEY_LOG_LEVEL=info', (side) => side.paths.discovery, expectJson((body) => (typeof body.issuer === 'string' ? undefined : 'no issuer'))),
    async prepare(side) {
      if (side.name === 'peer') return { skip: 'Latchkey logging comparison only' };
      return { instance: 'info-log', spec: { path: side.paths.discovery }, check: expectJson((body) => (typeof body.issuer === 'string' ? undefined : 'no issuer')) };
    },
  },
];

/** The scenarios a plain `npm run bench` runs; the -info-log pair measures the cost of default request logging. */
export const DEFAULT_SCENARIOS = SCENARIOS.map((scenario) => scenario.name);
export const SMOKE_SCENARIOS = ['discovery', 'cc-opaque-basic'];
