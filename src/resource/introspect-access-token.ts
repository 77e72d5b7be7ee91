// Validating an opaque access token by asking the issuer: RFC 7662 §2.1 (request), §2.2 (response), §4 (caching).
import { createHash } from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';
import { Rejection } from './resource-error.js';
import { confirmationThumbprint, parseAudience, parseScope, type VerifiedToken } from './verified-token.js';

export interface IntrospectionClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface IntrospectOptions {
  readonly endpoint: string;
  readonly client: IntrospectionClient;
  readonly issuer: string;
  readonly clockSkewSeconds: number;
  readonly now: number;
  readonly timeoutMs: number;
}

// RFC 6749 §2.3.1: client_id and secret are form-urlencoded before Basic encoding.
const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

const invalid = (why: string): Rejection => new Rejection('invalid_token', why);

/**
 * POSTs the token to the introspection endpoint with the resource's own client credentials (client_secret_basic)
 * and reads the answer. `active: false` says nothing more, by design (§2.2).
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspectAccessToken(token: string, options: IntrospectOptions): Promise<VerifiedToken> {
  const basic = Buffer.from(`${formEncode(options.client.clientId)}:${formEncode(options.client.clientSecret)}`).toString('base64');
  const response = await fetch(options.endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    redirect: 'error',
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  // Not the token's fault: a misconfigured resource (401) or an unwell issuer. The caller answers 5xx.
  if (response.status !== 200) throw new Error(`token introspection: HTTP ${response.status}`);
  const body = (await response.json()) as Record<string, unknown>;
  return readIntrospection(body, options);
}

/** §2.2 plus what RFC 9068 §4 asks of a JWT, applied to the introspected claims: issuer and expiry. */
export function readIntrospection(body: Record<string, unknown>, options: Omit<IntrospectOptions, 'endpoint' | 'client' | 'timeoutMs'>): VerifiedToken {
  if (body.active !== true) throw invalid('the token is not active');
  if (body.iss !== undefined && body.iss !== options.issuer) throw invalid('the token is from another issuer');
  const audience = parseAudience(body.aud); // checked per route by the verifier, like a JWT's
  const nowSeconds = options.now / 1000;
  if (typeof body.exp !== 'number' || body.exp <= nowSeconds - options.clockSkewSeconds) throw invalid('the token has expired');
  if (typeof body.nbf === 'number' && body.nbf > nowSeconds + options.clockSkewSeconds) throw invalid('the token is not valid yet');
  if (body.token_type !== undefined && typeof body.token_type === 'string' && !/^(bearer|dpop)$/i.test(body.token_type)) {
    throw invalid('the token is not an access token');
  }
  const clientId = body.client_id;
  if (typeof clientId !== 'string') throw invalid('the token has no client_id');
  const jkt = confirmationThumbprint(body.cnf);
  if (jkt === null) throw invalid('the token has a confirmation (cnf) this resource cannot check');
  if (jkt === undefined && typeof body.token_type === 'string' && /^dpop$/i.test(body.token_type)) {
    throw invalid('the token is DPoP-bound but its key thumbprint was not disclosed');
  }
  return {
    claims: body,
    subject: typeof body.sub === 'string' ? body.sub : clientId,
    clientId,
    scope: parseScope(body.scope),
    audience,
    expiresAt: new Date(body.exp * 1000),
    ...(jkt !== undefined && { jkt }),
  };
}

/**
 * Remembers active answers by the token's SHA-256 (never the token itself) for at most `maxAgeMs` — the longest a
 * revoked token may still be accepted (§4) — and never past the token's `exp`. 0 turns caching off.
 */
export class IntrospectionCache {
  private readonly cache: BoundedCache<VerifiedToken>;
  constructor(
    private readonly maxAgeMs: number,
    maxEntries: number,
  ) {
    this.cache = new BoundedCache(maxEntries);
  }

  private static key(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(token: string, now: number): VerifiedToken | undefined {
    return this.maxAgeMs > 0 ? this.cache.get(IntrospectionCache.key(token), now) : undefined;
  }

  set(token: string, verified: VerifiedToken, now: number): void {
    if (this.maxAgeMs <= 0) return;
    const until = Math.min(now + this.maxAgeMs, verified.expiresAt.getTime());
    this.cache.set(IntrospectionCache.key(token), verified, until, now, true);
  }
}
