// The signature of a client assertion (RFC 7515 §5.2 compact JWS; RFC 7518 §3.2-§3.5, RFC 8037 §3.1 algorithms;
// RFC 7523 §3 item 9), verified with node:crypto's synchronous `verify` and the client's registered keys imported
// once per process (issue #10 §2: jose imported each JWK per request and verified through WebCrypto's async API, about
// half the CPU of a private_key_jwt token request). Key selection is jose's createLocalJWKSet's.
import { constants, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { invalidClient, OAuthError } from '../errors.js';
import type { JwkSet } from './client-jwks.js';

/** The parts of a compact JWS, decoded but not yet trusted. */
export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `base64url(header) || '.' || base64url(payload)`, what the signature covers (RFC 7515 §5.1 item 8). */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** A registered key that fits the alg but not the signature, or no registered key fitting at all. */
export class NoMatchingKeyError extends OAuthError {
  constructor() {
    super('invalid_client', 'no registered key of the client matches the client assertion');
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const notAJwt = (): OAuthError => invalidClient('the client assertion is not a signed JWT');
const badSignature = (): OAuthError => invalidClient('the client assertion signature is invalid');

function decodeObject(part: string): Record<string, unknown> {
  if (!B64URL.test(part)) throw notAJwt();
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(part, 'base64url')));
  } catch {
    throw notAJwt();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAJwt();
  return value as Record<string, unknown>;
}

/**
 * Splits and decodes a compact JWS whose payload is a JSON object (a JWT, RFC 7519 §7.2). A `crit` header is refused:
 * no extension is understood here (RFC 7515 §4.1.11), and b64=false (RFC 7797) is never a JWT.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export function parseCompactJws(token: string): ParsedJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw notAJwt();
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeObject(encodedHeader);
  const payload = decodeObject(encodedPayload);
  if (!B64URL.test(encodedSignature)) throw notAJwt();
  if (header.crit !== undefined) throw invalidClient('the client assertion uses a critical header extension this server does not support');
  return { header, payload, signingInput: Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii'), signature: Buffer.from(encodedSignature, 'base64url') };
}

interface AlgSpec {
  readonly kty: string;
  readonly crv?: string;
  /** node:crypto's asymmetricKeyType of a fitting key. */
  readonly keyType: string;
  check(data: Buffer, key: KeyObject, signature: Buffer): boolean;
}

const MIN_RSA_BITS = 2048; // RFC 7518 §3.3, §3.5
const rsaBitsOk = (key: KeyObject): boolean => (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;

const ALGS: Readonly<Record<string, AlgSpec>> = {
  RS256: { kty: 'RSA', keyType: 'rsa', check: (data, key, sig) => rsaBitsOk(key) && verify('sha256', data, key, sig) },
  PS256: {
    kty: 'RSA',
    keyType: 'rsa',
    // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash; OpenSSL checks that exact length.
    check: (data, key, sig) => rsaBitsOk(key) && verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig),
  },
  ES256: { kty: 'EC', crv: 'P-256', keyType: 'ec', check: (data, key, sig) => sig.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig) },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', keyType: 'ed25519', check: (data, key, sig) => verify(null, data, key, sig) },
};

/** jose's isUsableJWK: the key's own kty, crv, use, key_ops and alg must all allow verifying with `alg`. */
function usable(jwk: Record<string, unknown>, alg: string, spec: AlgSpec, kid: unknown): boolean {
  const { kty, key_ops: keyOps, ext, kid: jwkKid, alg: jwkAlg, use, crv } = jwk;
  return (
    (ext === undefined || typeof ext === 'boolean') &&
    (keyOps === undefined || (Array.isArray(keyOps) && keyOps.every((op, i) => typeof op === 'string' && keyOps.indexOf(op) === i) && keyOps.includes('verify'))) &&
    kty === spec.kty &&
    (kid === undefined || (typeof kid === 'string' && kid === jwkKid)) &&
    (jwkAlg === undefined || jwkAlg === alg) &&
    (use === undefined || use === 'sig') &&
    (spec.crv === undefined || crv === spec.crv)
  );
}

// Imported keys by the JWK's JSON text: a client record reloaded from storage (or a refetched jwks_uri) brings new
// objects with the same keys. Bounded; an entry is only a public key, safe to keep or lose.
const MAX_KEYS = 2000;
const imported = new Map<string, KeyObject | null>();
// The same JWK object again (a client record from the client cache): not even its JSON text to build.
const importedObjects = new WeakMap<object, KeyObject | null>();

/** The public KeyObject of `jwk`, or null when it is not a usable public key (a private JWK counts as unusable). */
function importPublicJwk(jwk: Record<string, unknown>): KeyObject | null {
  const seen = importedObjects.get(jwk);
  if (seen !== undefined) return seen;
  const text = JSON.stringify(jwk);
  let cached = imported.get(text);
  if (cached === undefined) {
    cached = importFresh(jwk);
    if (imported.size >= MAX_KEYS) imported.delete(imported.keys().next().value as string);
    imported.set(text, cached);
  }
  importedObjects.set(jwk, cached);
  return cached;
}

function importFresh(jwk: Record<string, unknown>): KeyObject | null {
  let key: KeyObject | null = null;
  // jose refuses a JWK Set member carrying private parts; createPublicKey would quietly derive its public half.
  if (!['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].some((member) => member in jwk)) {
    try {
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      key = null;
    }
  }
  return key;
}

/**
 * Verifies `jws` with the one key of `jwks` that fits its alg and kid (none: NoMatchingKeyError, so a jwks_uri can be
 * refetched; several: refused, as jose does). `allowed` is the client's alg allow-list: never `none`, never HMAC here.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function verifyJwsWithJwks(jws: ParsedJws, jwks: JwkSet, allowed: readonly string[]): void {
  const { alg, kid } = jws.header;
  const spec = typeof alg === 'string' && allowed.includes(alg) ? ALGS[alg] : undefined;
  if (spec === undefined || typeof alg !== 'string') throw invalidClient('the client assertion alg is not allowed');
  const keys = Array.isArray(jwks.keys) ? jwks.keys : [];
  const candidates = keys.filter((jwk) => typeof jwk === 'object' && jwk !== null && usable(jwk, alg, spec, kid));
  if (candidates.length === 0) throw new NoMatchingKeyError();
  if (candidates.length > 1) throw new OAuthError('invalid_client', 'the client assertion is invalid'); // ambiguous: name the key with kid
  const key = importPublicJwk(candidates[0] as Record<string, unknown>);
  if (key === null || key.asymmetricKeyType !== spec.keyType) throw new OAuthError('invalid_client', 'the client assertion is invalid');
  let valid = false;
  try {
    valid = spec.check(jws.signingInput, key, jws.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw badSignature();
}

/**
 * HS256 (RFC 7518 §3.2) with the first of `secrets` whose MAC matches, compared in constant time.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function verifyJwsWithSecrets(jws: ParsedJws, secrets: readonly string[], allowed: readonly string[]): void {
  if (jws.header.alg !== 'HS256' || !allowed.includes('HS256')) throw invalidClient('the client assertion alg is not allowed');
  for (const secret of secrets) {
    const mac = createHmac('sha256', secret).update(jws.signingInput).digest();
    if (mac.length === jws.signature.length && timingSafeEqual(mac, jws.signature)) return;
  }
  throw badSignature();
}
