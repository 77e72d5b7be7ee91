// Client assertions: RFC 7523 §2.2 and §3, RFC 7521 §4.2, OIDC Core §9 (client_secret_jwt and private_key_jwt).
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { hashSecret } from '../../lib/hash.js';
import type { Client } from '../clients/client.js';
import { clientHmacSecrets } from '../clients/client-secrets.js';
import { ASSERTION_SIGNING_ALGS } from '../clients/validate-client-metadata.js';
import { endpointUrl, ENDPOINT_PATHS } from '../discovery/server-metadata.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidClient, invalidRequest, OAuthError } from '../errors.js';
import type { Params } from '../params.js';
import { createClientJwksSource, outboundPolicy, type ClientJwksSource } from './client-jwks.js';

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
  let alg: unknown;
  let unverified: JWTPayload;
  try {
    alg = decodeProtectedHeader(assertion).alg;
    unverified = decodeJwt(assertion);
  } catch {
    throw invalidClient('the client assertion is not a signed JWT');
  }
  if (typeof alg !== 'string' || !ALL_ALGS.includes(alg)) throw invalidClient(`the client assertion alg must be one of ${ALL_ALGS.join(', ')}`); // never none

  const clientId = unverified.sub;
  if (typeof clientId !== 'string' || unverified.iss !== clientId) throw invalidClient('the client assertion iss and sub must both be the client_id');
  if (params.has('client_id') && params.optional('client_id') !== clientId) throw invalidClient('client_id does not match the client assertion');
  const client = await deps.storage.clients.find(clientId);
  const method = client?.metadata.token_endpoint_auth_method;
  if (client === undefined || (method !== 'private_key_jwt' && method !== 'client_secret_jwt')) throw failed();

  const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
  const allowed: readonly string[] = registeredAlg !== undefined ? [registeredAlg] : ASSERTION_SIGNING_ALGS[method];
  if (!allowed.includes(alg)) throw invalidClient(`the client assertion must be signed with ${allowed.join(' or ')} for this client`);

  const now = deps.clock.now();
  const issuer = deps.config.issuer;
  const options: JWTVerifyOptions = {
    algorithms: [...allowed], // explicit: jose then refuses any other alg, so a public key is never used as an HMAC key
    issuer: clientId,
    subject: clientId,
    audience: [...new Set([issuer, requestEndpointUrl, endpointUrl(issuer, ENDPOINT_PATHS.token)])], // RFC 7523 §3 item 3
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
    currentDate: new Date(now),
    clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS,
  };
  const payload = method === 'client_secret_jwt' ? await verifyWithSecret(assertion, client, options, deps, now) : await verifyWithKeys(assertion, client, options, deps);

  const exp = payload.exp as number; // required above
  if (exp * 1000 > now + (ASSERTION_MAX_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) * 1000) {
    throw invalidClient(`the client assertion must expire within ${ASSERTION_MAX_LIFETIME_SECONDS} seconds`);
  }
  if (payload.iat !== undefined && payload.iat * 1000 > now + ASSERTION_CLOCK_SKEW_SECONDS * 1000) throw invalidClient('the client assertion iat is in the future');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw invalidClient('the client assertion jti is malformed');
  // RFC 7523 §3 item 7: one use, across every process sharing the database. Hashed: jti is client-chosen text.
  const fresh = await deps.storage.replay.use(`client-assertion:${hashSecret(`${clientId}\n${jti}`)}`, (exp + ASSERTION_CLOCK_SKEW_SECONDS) * 1000);
  if (!fresh) throw invalidClient('the client assertion was already used (jti replay)');
  return client;
}

async function verifyWithSecret(assertion: string, client: Client, options: JWTVerifyOptions, deps: ClientAssertionDeps, now: number): Promise<JWTPayload> {
  const secrets = clientHmacSecrets(client, deps.masterKey, now); // the current secret, then the previous one in its grace
  let failure: unknown = failed();
  for (const secret of secrets) {
    try {
      return (await jwtVerify(assertion, new TextEncoder().encode(secret), options)).payload;
    } catch (error) {
      failure = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break; // the key was right; the claims were not
    }
  }
  throw describe(failure);
}

async function verifyWithKeys(assertion: string, client: Client, options: JWTVerifyOptions, deps: ClientAssertionDeps): Promise<JWTPayload> {
  const { jwks, jwks_uri: jwksUri } = client.metadata;
  if (jwks !== undefined) {
    try {
      return (await jwtVerify(assertion, createLocalJWKSet(jwks as never), options)).payload;
    } catch (error) {
      throw describe(error);
    }
  }
  if (jwksUri === undefined) throw failed();
  const source = deps.clientJwks ?? createClientJwksSource({ clock: deps.clock, ...outboundPolicy(deps.config), allowLoopbackHttp: deps.config.clients.allowLoopbackJwksUri, ttlMs: 0 });
  const attempt = async (refresh: boolean): Promise<JWTPayload> =>
    (await jwtVerify(assertion, createLocalJWKSet((await source.get(jwksUri, { refresh })) as never), options)).payload;
  try {
    return await attempt(false);
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey)) throw describe(error);
  }
  try {
    return await attempt(true); // the client may have rotated its keys since we cached them: refetch once
  } catch (error) {
    throw describe(error);
  }
}

/** A jose failure as a client-safe invalid_client. */
function describe(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof errors.JWTExpired) return invalidClient('the client assertion has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalidClient('the client assertion aud must be the issuer or the endpoint URL');
    if (error.claim === 'nbf') return invalidClient('the client assertion is not yet valid (nbf)');
    return invalidClient(`the client assertion ${/^[a-z]{2,8}$/.test(error.claim) ? error.claim : 'claims'} claim is missing or invalid`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalidClient('no registered key of the client matches the client assertion');
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidClient('the client assertion alg is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalidClient('the client assertion signature is invalid');
  return new OAuthError('invalid_client', 'the client assertion is invalid', { cause: error });
}
