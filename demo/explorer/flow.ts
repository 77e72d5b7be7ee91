// The demo client's side of the flow, one function per step: a confidential client using the authorization code
// grant with PKCE (RFC 6749 §4.1, RFC 7636), OpenID Connect (OIDC Core §3.1), refresh (RFC 6749 §6), revocation
// (RFC 7009) and RP-initiated logout. Every call to Latchkey or the API is recorded as it went over the wire.
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { send, shorten, type Exchange, type WireMessage, maskHeaders } from './wire.js';

export interface ServerMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly introspection_endpoint?: string;
  readonly revocation_endpoint?: string;
  readonly userinfo_endpoint?: string;
  readonly end_session_endpoint?: string;
  readonly authorization_response_iss_parameter_supported?: boolean;
}

export interface ClientSetup {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly scope: string;
  readonly apiUrl: string;
  /** The client as registered with `latchkey client create --json`, secret included (masked when shown). */
  readonly registration: Record<string, unknown>;
  readonly registrationCommand: string;
  readonly metadata: ServerMetadata;
  readonly discovery: Exchange;
}

export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface AuthorizationRequest {
  readonly url: string;
  readonly params: readonly (readonly [string, string])[];
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
}

/** What one browser has done so far: one record per step. */
export interface FlowState {
  authorization?: AuthorizationRequest;
  callback?: { readonly request: WireMessage; readonly params: Record<string, string>; readonly checks: readonly Check[]; readonly code?: string };
  tokenRequest?: Exchange;
  tokens?: Tokens;
  decoded?: {
    readonly idTokenHeader?: Record<string, unknown>;
    readonly idTokenClaims?: JWTPayload;
    readonly idTokenChecks: readonly Check[];
    readonly introspection: Exchange;
    readonly accessTokenClaims?: Record<string, unknown>;
  };
  apiCalls?: Exchange[];
  refresh?: { readonly exchange: Exchange; readonly oldRefreshToken: string; readonly newRefreshToken?: string; readonly oldTokenCheck?: Exchange };
  revocation?: { readonly exchange: Exchange; readonly apiAfter: Exchange };
  logout?: { readonly available: boolean; readonly url?: string; readonly returned?: WireMessage };
  error?: { readonly step: number; readonly message: string };
}

const random = (bytes = 32): string => randomBytes(bytes).toString('base64url');
const basic = (setup: ClientSetup): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(setup.clientId)}:${encodeURIComponent(setup.clientSecret)}`).toString('base64')}`; // RFC 6749 §2.3.1

/** Step 2: the authorization request, with PKCE S256 (RFC 7636 §4.2), state and nonce. */
export function buildAuthorizationRequest(setup: ClientSetup): AuthorizationRequest {
  const state = random(16);
  const nonce = random(16);
  const codeVerifier = random(32);
  const params: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', setup.clientId],
    ['redirect_uri', setup.redirectUri],
    ['scope', setup.scope],
    ['state', state],
    ['nonce', nonce],
    ['code_challenge', createHash('sha256').update(codeVerifier).digest('base64url')],
    ['code_challenge_method', 'S256'],
  ];
  const url = new URL(setup.metadata.authorization_endpoint);
  for (const [name, value] of params) url.searchParams.set(name, value);
  return { url: url.href, params, state, nonce, codeVerifier };
}

/** Step 4: the callback. state must be the one sent (RFC 6749 §10.12); iss must be the issuer (RFC 9207 §2.4). */
export function receiveCallback(setup: ClientSetup, state: FlowState, url: URL, headers: Record<string, string | string[] | undefined>): FlowState['callback'] {
  const params = Object.fromEntries(url.searchParams);
  const shownHeaders = Object.entries(headers)
    .filter(([name]) => ['host', 'cookie', 'referer', 'user-agent', 'sec-fetch-site'].includes(name))
    .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')] as const);
  const checks: Check[] = [
    {
      what: 'state matches the one this browser was sent with (CSRF, RFC 6749 §10.12)',
      ok: state.authorization !== undefined && params.state === state.authorization.state,
      detail: `received ${params.state === undefined ? 'none' : shorten(params.state)}`,
    },
    {
      what: 'iss is the issuer we sent the request to (mix-up defence, RFC 9207)',
      ok: params.iss === setup.issuer,
      detail: `received ${params.iss ?? 'none'}`,
    },
  ];
  if (params.error !== undefined) checks.push({ what: 'no error from Latchkey', ok: false, detail: `${params.error}: ${params.error_description ?? ''}` });
  else checks.push({ what: 'an authorization code came back', ok: params.code !== undefined, detail: params.code === undefined ? 'none' : shorten(params.code) });
  const ok = checks.every((check) => check.ok);
  return {
    request: { startLine: `GET ${url.pathname}${url.search} HTTP/1.1`, headers: maskHeaders(shownHeaders), body: '' },
    params,
    checks,
    ...(ok && params.code !== undefined && { code: params.code }),
  };
}

/** Step 5: code → tokens at the token endpoint, client_secret_basic (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export async function redeemCode(setup: ClientSetup, state: FlowState): Promise<void> {
  const code = state.callback?.code;
  if (code === undefined || state.authorization === undefined) throw new Error('no authorization code yet: do steps 2 to 4 first');
  const { exchange, json } = await send<Record<string, string>>('the token request', {
    method: 'POST',
    url: setup.metadata.token_endpoint,
    headers: { authorization: basic(setup) },
    form: { grant_type: 'authorization_code', code, redirect_uri: setup.redirectUri, code_verifier: state.authorization.codeVerifier },
  });
  state.tokenRequest = exchange;
  if (json?.access_token !== undefined) {
    state.tokens = { accessToken: json.access_token, ...(json.refresh_token !== undefined && { refreshToken: json.refresh_token }), ...(json.id_token !== undefined && { idToken: json.id_token }) };
  }
}

/** Step 6: the ID Token validated (OIDC Core §3.1.3.7); the opaque access token read by introspection (RFC 7662). */
export async function decodeTokens(setup: ClientSetup, state: FlowState): Promise<void> {
  const tokens = state.tokens;
  if (tokens === undefined) throw new Error('no tokens yet: do step 5 first');
  const checks: Check[] = [];
  let idTokenHeader: Record<string, unknown> | undefined;
  let idTokenClaims: JWTPayload | undefined;
  if (tokens.idToken !== undefined) {
    idTokenHeader = decodeProtectedHeader(tokens.idToken) as Record<string, unknown>;
    try {
      const { payload } = await jwtVerify(tokens.idToken, createRemoteJWKSet(new URL(setup.metadata.jwks_uri)), { issuer: setup.issuer, audience: setup.clientId });
      idTokenClaims = payload;
      checks.push({ what: 'signature verified with a key from jwks_uri; iss, aud and exp checked', ok: true, detail: `${String(idTokenHeader.alg)}, kid ${String(idTokenHeader.kid)}` });
      checks.push({ what: 'nonce is the one sent in step 2 (replay defence)', ok: payload.nonce === state.authorization?.nonce, detail: String(payload.nonce) });
    } catch (error) {
      checks.push({ what: 'ID Token verification', ok: false, detail: (error as Error).message });
    }
  }
  const { exchange, json } = await send<Record<string, unknown>>('introspecting the access token', {
    method: 'POST',
    url: setup.metadata.introspection_endpoint ?? `${setup.issuer}/introspect`,
    headers: { authorization: basic(setup) },
    form: { token: tokens.accessToken, token_type_hint: 'access_token' },
  });
  state.decoded = {
    ...(idTokenHeader !== undefined && { idTokenHeader }),
    ...(idTokenClaims !== undefined && { idTokenClaims }),
    idTokenChecks: checks,
    introspection: exchange,
    ...(json !== undefined && { accessTokenClaims: json }),
  };
}

/** Step 7: the API call with the access token (RFC 6750 §2.1). */
export async function callApi(setup: ClientSetup, tokens: Tokens | undefined, title = 'GET /api/notes'): Promise<Exchange> {
  if (tokens === undefined) throw new Error('no access token yet: do step 5 first');
  const { exchange } = await send(title, { method: 'GET', url: `${setup.apiUrl}/api/notes`, headers: { authorization: `Bearer ${tokens.accessToken}` } });
  return exchange;
}

/** Step 8: refresh (RFC 6749 §6). Latchkey rotates the refresh token; introspection shows the old one is dead. */
export async function refreshTokens(setup: ClientSetup, state: FlowState): Promise<void> {
  const old = state.tokens?.refreshToken;
  if (state.tokens === undefined || old === undefined) throw new Error('no refresh token: do step 5 first (with offline_access)');
  const { exchange, json } = await send<Record<string, string>>('the refresh request', {
    method: 'POST',
    url: setup.metadata.token_endpoint,
    headers: { authorization: basic(setup) },
    form: { grant_type: 'refresh_token', refresh_token: old },
  });
  if (json?.access_token === undefined) {
    state.refresh = { exchange, oldRefreshToken: shorten(old) };
    return;
  }
  state.tokens = {
    accessToken: json.access_token,
    refreshToken: json.refresh_token ?? old,
    ...((json.id_token ?? state.tokens.idToken) !== undefined && { idToken: json.id_token ?? state.tokens.idToken }),
  };
  // Introspecting (not reusing) the old token: presenting it at /token again would be reuse, which revokes the grant.
  const { exchange: oldTokenCheck } = await send('is the old refresh token still good? (introspection)', {
    method: 'POST',
    url: setup.metadata.introspection_endpoint ?? `${setup.issuer}/introspect`,
    headers: { authorization: basic(setup) },
    form: { token: old, token_type_hint: 'refresh_token' },
  });
  state.refresh = { exchange, oldRefreshToken: shorten(old), ...(json.refresh_token !== undefined && { newRefreshToken: shorten(json.refresh_token) }), oldTokenCheck };
}

/** Step 9: revoke the refresh token, hence the whole grant (RFC 7009 §2.1), then call the API again. */
export async function revokeTokens(setup: ClientSetup, state: FlowState): Promise<void> {
  const tokens = state.tokens;
  if (tokens === undefined) throw new Error('no tokens yet: do step 5 first');
  const revoked = tokens.refreshToken !== undefined ? { token: tokens.refreshToken, token_type_hint: 'refresh_token' } : { token: tokens.accessToken, token_type_hint: 'access_token' };
  const { exchange } = await send('the revocation request', {
    method: 'POST',
    url: setup.metadata.revocation_endpoint ?? `${setup.issuer}/revoke`,
    headers: { authorization: basic(setup) },
    form: revoked,
  });
  const apiAfter = await callApi(setup, tokens, 'GET /api/notes with the same access token, after revocation');
  state.revocation = { exchange, apiAfter };
}

/** Step 10: RP-initiated logout when Latchkey advertises end_session_endpoint (OIDC RP-Initiated Logout §2). */
export function buildLogout(setup: ClientSetup, state: FlowState): NonNullable<FlowState['logout']> {
  const endpoint = setup.metadata.end_session_endpoint;
  if (endpoint === undefined) return { available: false };
  const url = new URL(endpoint);
  if (state.tokens?.idToken !== undefined) url.searchParams.set('id_token_hint', state.tokens.idToken);
  url.searchParams.set('client_id', setup.clientId);
  url.searchParams.set('post_logout_redirect_uri', setup.postLogoutRedirectUri);
  url.searchParams.set('state', random(16));
  return { available: true, url: url.href };
}
