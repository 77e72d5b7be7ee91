// Checking a DPoP proof at the resource: RFC 9449 §4.3 (proof checks) and §7.1 (ath, cnf.jkt), §11.1 (replay).
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import type { BoundedCache } from './bounded-cache.js';
import { Rejection } from './resource-error.js';

export interface DpopCheckOptions {
  readonly method: string;
  readonly url: string;
  readonly accessToken: string;
  /** The cnf.jkt of the access token. */
  readonly jkt: string;
  readonly algorithms: readonly string[];
  readonly maxAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly now: number;
  readonly replay: BoundedCache<true>;
}

const invalid = (why: string, cause?: unknown): Rejection => new Rejection('invalid_dpop_proof', why, { cause });

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

/** RFC 9449 §4.3 check 9: htu is compared without query and fragment, after RFC 3986 §6 normalisation. */
export function normalizeHtu(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`; // URL lowercases scheme and host and drops a default port
  } catch {
    return undefined;
  }
}

/** RFC 9449 §4.1: ath is base64url(SHA-256(ASCII(access token))). */
export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * Verifies the proof for this request and this token; records its jti so it is accepted once. Returns nothing:
 * either every check passes or it throws invalid_dpop_proof.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export async function verifyDpopProof(proof: string, options: DpopCheckOptions): Promise<void> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (error) {
    throw invalid('the DPoP proof is not a JWT', error);
  }
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') throw invalid('the DPoP proof typ must be dpop+jwt');
  if (typeof header.alg !== 'string' || !options.algorithms.includes(header.alg)) throw invalid('the DPoP proof alg is not allowed');
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null || jwk.kty === 'oct' || PRIVATE_MEMBERS.some((name) => name in jwk)) {
    throw invalid('the DPoP proof must carry a public jwk');
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      algorithms: [...options.algorithms],
      typ: 'dpop+jwt',
      currentDate: new Date(options.now),
      clockTolerance: options.clockSkewSeconds,
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) throw invalid('the DPoP proof signature or claims are invalid', error);
    throw error;
  }
  const { jti, htm, htu, iat, ath } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw invalid('the DPoP proof needs a jti');
  if (htm !== options.method) throw invalid('the DPoP proof htm does not match the request method');
  const expected = normalizeHtu(options.url);
  if (typeof htu !== 'string' || expected === undefined || normalizeHtu(htu) !== expected) {
    throw invalid('the DPoP proof htu does not match the request URL');
  }
  const nowSeconds = options.now / 1000;
  if (typeof iat !== 'number' || iat > nowSeconds + options.clockSkewSeconds || iat < nowSeconds - options.maxAgeSeconds - options.clockSkewSeconds) {
    throw invalid('the DPoP proof iat is outside the accepted window');
  }
  if (ath !== accessTokenHash(options.accessToken)) throw invalid('the DPoP proof ath does not match the access token');
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  if (thumbprint !== options.jkt) throw invalid('the DPoP proof key does not match the token binding (cnf.jkt)');
  // §11.1: once per (key, jti) for as long as the iat check would accept the proof. A full cache refuses new proofs
  // rather than forget a jti that could still be replayed.
  const key = `${thumbprint}:${jti}`;
  if (options.replay.has(key, options.now)) throw invalid('the DPoP proof has been used before');
  const until = (iat + options.maxAgeSeconds + 2 * options.clockSkewSeconds + 1) * 1000;
  if (!options.replay.set(key, true, until, options.now, false)) throw invalid('too many DPoP proofs in flight: retry shortly');
}
