// Client assertions: RFC 7523 §2.2 and §3, RFC 7521 §4.2, OIDC Core §9 (client_secret_jwt and private_key_jwt).
import { hashSecret } from '../../lib/hash.js';
import type { Client } from '../clients/client.js';
import { clientHmacSecrets } from '../clients/client-secrets.js';
import { ASSERTION_SIGNING_ALGS } from '../clients/validate-client-metadata.js';
import { endpointUrl, ENDPOINT_PATHS } from '../discovery/server-metadata.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidClient, invalidRequest, type OAuthError } from '../errors.js';
import type { Params } from '../params.js';
import { createClientJwksSource, outboundPolicy, type ClientJwksSource, type JwkSet } from './client-jwks.js';
import { NoMatchingKeyError, parseCompactJws, verifyJwsWithJwks, verifyJwsWithSecrets, type ParsedJws } from './verify-assertion-jws.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/**
 * RFC 7523 §3 item 4 lets the server bound exp. An assertion is a one-shot credential made just before use, and its
 * jti must be remembered until it expires, so it may live at most 5 minutes (plus the allowed clock skew).
 */
export const ASSERTION_MAX_LIFETIME_SECONDS = 300;
export const ASSERTION_CLOCK_SKEW_SECONDS = 30;
const MAX_ASSERTION_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const ALL_ALGS: readonly string[] = [...ASSERTION_SIGNING_ALGS.private_key_jwt, ...ASSERTION_SIGNING_ALGS.client_secret_jwt];

export type ClientAssertionDeps = Pick<ProtocolDeps, 'config' | 'storage' | 'clock' | 'masterKey'> & {
  /** The shared jwks_uri cache; without one, each assertion fetches the client's keys afresh. */
  readonly clientJwks?: ClientJwksSource;
};

const failed = (): OAuthError => invalidClient('client authentication failed');

/**
 * Authenticates a client by its signed assertion: iss = sub = client_id, aud this server, exp bounded,
 * jti used once across every process (storage.replay), alg from the allow-list of the client's method.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function verifyClientAssertion(params: Params, requestEndpointUrl: string, deps: ClientAssertionDeps): Promise<Client> {
  if (params.optional('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
    throw invalidRequest(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`); // RFC 7521 §4.2
  }
  const assertion = params.required('client_assertion');
  if (assertion.length > MAX_ASSERTION_LENGTH) throw invalidClient('the client assertion is too large');
  const jws = parseCompactJws(assertion);
  const { alg } = jws.header;
  if (typeof alg !== 'string' || !ALL_ALGS.includes(alg)) throw invalidClient(`the client assertion alg must be one of ${ALL_ALGS.join(', ')}`); // never none

  const clientId = jws.payload.sub;
  if (typeof clientId !== 'string' || jws.payload.iss !== clientId) throw invalidClient('the client assertion iss and sub must both be the client_id');
  if (params.has('client_id') && params.optional('client_id') !== clientId) throw invalidClient('client_id does not match the client assertion');
  const client = await deps.storage.clients.find(clientId);
  const method = client?.metadata.token_endpoint_auth_method;
  if (client === undefined || (method !== 'private_key_jwt' && method !== 'client_secret_jwt')) throw failed();

  const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
  const allowed: readonly string[] = registeredAlg !== undefined ? [registeredAlg] : ASSERTION_SIGNING_ALGS[method];
  if (!allowed.includes(alg)) throw invalidClient(`the client assertion must be signed with ${allowed.join(' or ')} for this client`);

  const now = deps.clock.now();
  // The signature first (RFC 7523 §3 item 9), then the claims: nothing about an unverified payload is reported.
  if (method === 'client_secret_jwt') verifyJwsWithSecrets(jws, clientHmacSecrets(client, deps.masterKey, now), allowed); // the current secret, then the previous one in its grace
  else await verifyWithKeys(jws, client, allowed, deps);
  const payload = jws.payload;
  const issuer = deps.config.issuer;
  checkAssertionClaims(payload, [...new Set([issuer, requestEndpointUrl, endpointUrl(issuer, ENDPOINT_PATHS.token)])], now); // RFC 7523 §3 items 1-5

  const exp = payload.exp as number; // required above
  if (exp * 1000 > now + (ASSERTION_MAX_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) * 1000) {
    throw invalidClient(`the client assertion must expire within ${ASSERTION_MAX_LIFETIME_SECONDS} seconds`);
  }
  const iat = payload.iat as number | undefined; // a number when present, checked above
  if (iat !== undefined && iat * 1000 > now + ASSERTION_CLOCK_SKEW_SECONDS * 1000) throw invalidClient('the client assertion iat is in the future');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw invalidClient('the client assertion jti is malformed');
  // RFC 7523 §3 item 7: one use, across every process sharing the database. Hashed: jti is client-chosen text.
  const fresh = await deps.storage.replay.use(`client-assertion:${hashSecret(`${clientId}\n${jti}`)}`, (exp + ASSERTION_CLOCK_SKEW_SECONDS) * 1000);
  if (!fresh) throw invalidClient('the client assertion was already used (jti replay)');
  return client;
}

async function verifyWithKeys(jws: ParsedJws, client: Client, allowed: readonly string[], deps: ClientAssertionDeps): Promise<void> {
  const { jwks, jwks_uri: jwksUri } = client.metadata;
  if (jwks !== undefined) return verifyJwsWithJwks(jws, jwks as JwkSet, allowed);
  if (jwksUri === undefined) throw failed();
  const source = deps.clientJwks ?? createClientJwksSource({ clock: deps.clock, ...outboundPolicy(deps.config), allowLoopbackHttp: deps.config.clients.allowLoopbackJwksUri, ttlMs: 0 });
  try {
    verifyJwsWithJwks(jws, await source.get(jwksUri), allowed);
  } catch (error) {
    if (!(error instanceof NoMatchingKeyError)) throw error;
    verifyJwsWithJwks(jws, await source.get(jwksUri, { refresh: true }), allowed); // the client may have rotated its keys since we cached them: refetch once
  }
}

/**
 * RFC 7523 §3 items 1-5 and RFC 7519 §4.1: iss and sub were matched to the client before; aud names this server,
 * exp is required and not past, nbf (if any) is not ahead, each within the allowed clock skew; jti is required.
 */
function checkAssertionClaims(payload: Readonly<Record<string, unknown>>, audiences: readonly string[], now: number): void {
  for (const claim of ['iss', 'sub', 'aud', 'exp', 'jti']) {
    if (!Object.hasOwn(payload, claim)) throw invalidClient(`the client assertion ${claim} claim is missing or invalid`);
  }
  const { aud, exp, nbf, iat } = payload;
  const audOk = typeof aud === 'string' ? audiences.includes(aud) : Array.isArray(aud) && audiences.some((a) => aud.includes(a));
  if (!audOk) throw invalidClient('the client assertion aud must be the issuer or the endpoint URL');
  for (const [claim, value] of [['exp', exp], ['nbf', nbf], ['iat', iat]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw invalidClient(`the client assertion ${claim} claim is missing or invalid`);
  }
  const seconds = Math.floor(now / 1000);
  if (typeof nbf === 'number' && nbf > seconds + ASSERTION_CLOCK_SKEW_SECONDS) throw invalidClient('the client assertion is not yet valid (nbf)');
  if ((exp as number) <= seconds - ASSERTION_CLOCK_SKEW_SECONDS) throw invalidClient('the client assertion has expired');
}
