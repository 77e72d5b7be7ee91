// Verifies a compact JWS this server signed (RFC 7515 §5.2), with node:crypto like sign-jwt.ts. Only our own keys
// are tried (by kid), and the header's alg must be the key's: no alg confusion (RFC 8725 §3.1).
import { verify } from 'node:crypto';
import type { KeyRing } from './key-ring.js';

const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * verifyJwt with fresh keys: the ring reread when stale, or when the token names a kid this process does not know
 * yet (another process may sign with a key rotated in moments ago).
 */
export async function verifyOwnJwt(token: string, keys: KeyRing, typ: string): Promise<Record<string, unknown> | undefined> {
  await keys.refreshIfStale();
  const kid = headerKid(token);
  if (kid !== undefined) await keys.refreshForKid(kid);
  return verifyJwt(token, keys, typ);
}

function headerKid(token: string): string | undefined {
  try {
    const { kid } = decode(token.split('.')[0] ?? '') as Record<string, unknown>;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/** The payload of `token` when its signature verifies with a published key and its `typ` is `typ`; else undefined. */
export function verifyJwt(token: string, keys: KeyRing, typ: string): Record<string, unknown> | undefined {
  const [header, payload, signature, extra] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) return undefined;
  let protectedHeader: unknown;
  let claims: unknown;
  try {
    protectedHeader = decode(header);
    claims = decode(payload);
  } catch {
    return undefined;
  }
  if (typeof protectedHeader !== 'object' || protectedHeader === null || typeof claims !== 'object' || claims === null) return undefined;
  const { alg, kid, typ: actualTyp, crit } = protectedHeader as Record<string, unknown>;
  if (actualTyp !== typ || typeof kid !== 'string' || crit !== undefined) return undefined;
  const key = keys.verificationKey(kid);
  if (key === undefined || key.alg !== alg) return undefined;
  const data = Buffer.from(`${header}.${payload}`, 'ascii');
  const sig = Buffer.from(signature, 'base64url');
  const valid =
    key.alg === 'ES256' ? verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)
    : key.alg === 'RS256' ? verify('sha256', data, key.publicKey, sig)
    : verify(null, data, key.publicKey, sig);
  return valid ? (claims as Record<string, unknown>) : undefined;
}
