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
  const parsed = parseJwt(token); // once: the kid, then the checks (issue #10 §2)
  if (parsed === undefined) return undefined;
  const { kid } = parsed.header;
  if (typeof kid === 'string') await keys.refreshForKid(kid);
  return verifyParsed(parsed, keys, typ);
}

interface ParsedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: string;
}

function parseJwt(token: string): ParsedJwt | undefined {
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
  return { header: protectedHeader as Record<string, unknown>, claims: claims as Record<string, unknown>, signingInput: `${header}.${payload}`, signature };
}

/** The payload of `token` when its signature verifies with a published key and its `typ` is `typ`; else undefined. */
export function verifyJwt(token: string, keys: KeyRing, typ: string): Record<string, unknown> | undefined {
  const parsed = parseJwt(token);
  return parsed === undefined ? undefined : verifyParsed(parsed, keys, typ);
}

function verifyParsed({ header, claims, signingInput, signature }: ParsedJwt, keys: KeyRing, typ: string): Record<string, unknown> | undefined {
  const { alg, kid, typ: actualTyp, crit } = header;
  if (actualTyp !== typ || typeof kid !== 'string' || crit !== undefined) return undefined;
  const key = keys.verificationKey(kid);
  if (key === undefined || key.alg !== alg) return undefined;
  const data = Buffer.from(signingInput, 'ascii');
  const sig = Buffer.from(signature, 'base64url');
  const valid =
    key.alg === 'ES256' ? verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig)
    : key.alg === 'RS256' ? verify('sha256', data, key.publicKey, sig)
    : verify(null, data, key.publicKey, sig);
  return valid ? claims : undefined;
}
