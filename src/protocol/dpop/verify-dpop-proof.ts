// DPoP proof checks: RFC 9449 §4.2 (proof syntax) and §4.3 (checking a proof), with `ath` (§4.2, §7.1) and
// server-provided nonces (§8, §9). Depends on jose and node:crypto only, so a resource server can reuse it as is.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { OAuthError } from '../errors.js';

/** §4.2: asymmetric algorithms only (never `none`, never a MAC). The order is the discovery order. */
export const DPOP_SIGNING_ALGS: readonly string[] = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'];

// RFC 7518 §6.2.2, §6.3.2, §6.4 and RFC 8037 §2: members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

/** A server's nonce policy (§8, §9): whether proofs must carry one, how to check it, and a fresh one to hand out. */
export interface DpopNonceCheck {
  readonly required: boolean;
  valid(nonce: string): boolean;
  fresh(): string;
}

export interface DpopProofExpectations {
  /** The request's method (§4.3 check 8: htm). */
  readonly method: string;
  /** The request's absolute URL as the server publishes it (§4.3 check 9: htu, compared without query and fragment). */
  readonly url: string;
  /** The access token presented with the proof, at a protected resource: then `ath` must be its hash (§4.3 check 12). */
  readonly accessToken?: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** How far `iat` may be from now, either way (§4.3 check 11, §11.1). */
  readonly maxAgeSeconds: number;
  /** Default DPOP_SIGNING_ALGS. */
  readonly algorithms?: readonly string[];
  readonly nonce?: DpopNonceCheck;
  /**
   * Records a proof as used: resolves true for exactly one caller per key, across every process (§11.1). The key is
   * derived from the key thumbprint and the jti; keep the marker until `expiresAt` (epoch ms).
   */
  readonly markUsed: (key: string, expiresAt: number) => Promise<boolean>;
}

export interface VerifiedDpopProof {
  /** The JWK SHA-256 thumbprint of the proof key (RFC 7638), what tokens are bound to (§6). */
  readonly jkt: string;
  readonly jwk: JWK;
  readonly jti: string;
  /** Epoch milliseconds. */
  readonly iat: number;
}

const invalidProof = (why: string, cause?: unknown): OAuthError => new OAuthError('invalid_dpop_proof', why, cause === undefined ? undefined : { cause });

/**
 * The `ath` of an access token: base64url(SHA-256(ASCII(token))).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * An http(s) URI without query and fragment, normalised (RFC 3986 §6.2.2 and §6.2.3: scheme and host case, default
 * port, dot segments, percent-encoding case), or undefined when it is not one.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
  return `${url.protocol}//${url.host}${path}`;
}

function readHeader(proof: string): { alg: string; jwk: JWK } {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch (error) {
    throw invalidProof('the DPoP proof is not a JWT', error);
  }
  if (header.typ !== 'dpop+jwt') throw invalidProof('the DPoP proof typ must be dpop+jwt'); // §4.3 check 4
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidProof('the DPoP proof has no jwk header'); // §4.2
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw invalidProof('the DPoP proof jwk must be a public key'); // §4.3 check 7
  if (typeof header.alg !== 'string') throw invalidProof('the DPoP proof has no alg');
  return { alg: header.alg, jwk: jwk as JWK };
}

/**
 * Checks a DPoP proof (the DPoP header's value) against the request it came with, and records its jti as used.
 * Throws invalid_dpop_proof, or use_dpop_nonce (with a fresh nonce in the `dpop-nonce` header) when the nonce is
 * missing or stale. The caller then binds tokens to (or compares them with) the returned `jkt`.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export async function verifyDpopProof(proof: string, expected: DpopProofExpectations): Promise<VerifiedDpopProof> {
  // §4.3 checks 1 and 2: one header, one well-formed JWT. Repeated headers arrive joined by commas.
  if (proof.includes(',')) throw invalidProof('more than one DPoP header was sent');
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) throw invalidProof('the DPoP header is not a single compact JWT');

  const algorithms = expected.algorithms ?? DPOP_SIGNING_ALGS;
  const { alg, jwk } = readHeader(proof);
  if (!algorithms.includes(alg)) throw invalidProof(`the DPoP proof alg must be one of ${algorithms.join(', ')}`); // §4.3 check 5

  let payload: JWTPayload;
  try {
    // §4.3 check 6: the signature verifies with the key in the header. EmbeddedJWK also refuses a non-public key.
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...algorithms], currentDate: new Date(expected.now) }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) throw invalidProof('the DPoP proof signature is invalid', error);
    if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) throw invalidProof('the DPoP proof is expired or not yet valid', error);
    throw invalidProof('the DPoP proof is invalid', error);
  }

  // §4.3 check 3: the required claims, with their types.
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw invalidProof('the DPoP proof jti is missing or malformed');
  if (typeof htm !== 'string') throw invalidProof('the DPoP proof htm is missing');
  if (typeof htu !== 'string') throw invalidProof('the DPoP proof htu is missing');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalidProof('the DPoP proof iat is missing');

  if (htm !== expected.method) throw invalidProof('the DPoP proof htm does not match the request method'); // check 8
  const requestUrl = normalizeHtu(expected.url);
  if (requestUrl === undefined || normalizeHtu(htu) !== requestUrl) throw invalidProof('the DPoP proof htu does not match the request URL'); // check 9

  // Check 11 (§11.1): a proof is accepted only within the window around its creation, so jti markers can expire.
  const windowMs = expected.maxAgeSeconds * 1000;
  if (Math.abs(expected.now - iat * 1000) > windowMs) throw invalidProof('the DPoP proof iat is outside the acceptable window');

  // Check 12: at a protected resource, the proof names the access token it accompanies.
  if (expected.accessToken !== undefined) {
    if (typeof payload.ath !== 'string') throw invalidProof('the DPoP proof ath is missing');
    if (payload.ath !== accessTokenHash(expected.accessToken)) throw invalidProof('the DPoP proof ath does not match the access token');
  }

  // Check 10 (§8, §9): a nonce the server handed out, when it asks for them or the client sends one.
  const nonce = payload.nonce;
  if (expected.nonce !== undefined && (nonce !== undefined || expected.nonce.required)) {
    if (typeof nonce !== 'string' || !expected.nonce.valid(nonce)) {
      const description = nonce === undefined ? 'a DPoP nonce is required' : 'the DPoP nonce is invalid or expired';
      throw new OAuthError('use_dpop_nonce', description, { headers: { 'dpop-nonce': expected.nonce.fresh() } });
    }
  }

  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  // §11.1: single use, last, so that a proof refused for another reason does not burn its jti. Hashed: jti is client text.
  const key = `dpop:${createHash('sha256').update(`${jkt}\n${jti}`).digest('base64url')}`;
  if (!(await expected.markUsed(key, iat * 1000 + windowMs + 1000))) throw invalidProof('the DPoP proof was already used (jti replay)');
  return { jkt, jwk, jti, iat: iat * 1000 };
}
