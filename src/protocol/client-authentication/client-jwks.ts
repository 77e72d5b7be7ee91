// Client key sets fetched from jwks_uri (RFC 7591 §2, RFC 7517 §5): https only, a timeout, a size cap, and a
// bounded TTL cache that is safe to lose; a forced refresh (unknown kid) is rate-limited per URI.
import type { Clock } from '../../lib/clock.js';
import { invalidClient, OAuthError } from '../errors.js';

export interface JwkSet {
  readonly keys: readonly Record<string, unknown>[];
}

export interface ClientJwksSource {
  /** The key set at `uri`, from the cache when fresh; `refresh` refetches unless it was fetched moments ago. */
  get(uri: string, options?: { refresh?: boolean }): Promise<JwkSet>;
}

export interface ClientJwksOptions {
  readonly clock: Clock;
  /** http on 127.0.0.1/[::1] (tests, local development); everything else must be https. */
  readonly allowLoopbackHttp: boolean;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly ttlMs?: number;
  readonly refreshCooldownMs?: number;
  readonly maxEntries?: number;
  readonly fetch?: typeof fetch;
}

export const JWKS_FETCH_DEFAULTS = {
  timeoutMs: 3000, // a slow client must not hold a token request for long
  maxBytes: 64 * 1024,
  ttlMs: 5 * 60_000,
  refreshCooldownMs: 10_000, // an unknown kid refetches at most this often, so it cannot be used to make us flood a host
  maxEntries: 1000,
} as const;

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\])(?=[:/]|$)/i;

/** Whether `uri` may be fetched at all under these options. */
export function jwksUriAllowed(uri: string, allowLoopbackHttp: boolean): boolean {
  return /^https:\/\/[^/?#:]/i.test(uri) || (allowLoopbackHttp && LOOPBACK_HTTP.test(uri));
}

export function createClientJwksSource(options: ClientJwksOptions): ClientJwksSource {
  const settings = { ...JWKS_FETCH_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const doFetch = options.fetch ?? fetch;
  const cache = new Map<string, { jwks: JwkSet; fetchedAt: number }>();
  const inFlight = new Map<string, Promise<JwkSet>>();

  async function load(uri: string): Promise<JwkSet> {
    const jwks = await fetchJwks(uri, doFetch, settings.timeoutMs, settings.maxBytes);
    if (settings.ttlMs > 0) {
      cache.delete(uri); // re-insert: the Map's order is the eviction order
      cache.set(uri, { jwks, fetchedAt: options.clock.now() });
      while (cache.size > settings.maxEntries) cache.delete(cache.keys().next().value as string);
    }
    return jwks;
  }

  return {
    async get(uri, { refresh = false } = {}) {
      if (!jwksUriAllowed(uri, options.allowLoopbackHttp)) throw invalidClient('the client jwks_uri must use https');
      const now = options.clock.now();
      const cached = cache.get(uri);
      if (cached !== undefined) {
        const age = now - cached.fetchedAt;
        if (age < settings.ttlMs && (!refresh || age < settings.refreshCooldownMs)) return cached.jwks;
      }
      let pending = inFlight.get(uri);
      if (pending === undefined) {
        pending = load(uri).finally(() => inFlight.delete(uri));
        inFlight.set(uri, pending);
      }
      return pending;
    },
  };
}

async function fetchJwks(uri: string, doFetch: typeof fetch, timeoutMs: number, maxBytes: number): Promise<JwkSet> {
  const failed = (why: string, cause?: unknown): OAuthError => new OAuthError('invalid_client', `the client jwks_uri ${why}`, { cause });
  let response: Response;
  try {
    response = await doFetch(uri, {
      signal: AbortSignal.timeout(timeoutMs), // covers the body as well as the headers
      redirect: 'error', // the registered URI is the one trusted; a redirect could point anywhere
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
  } catch (error) {
    throw failed('could not be fetched', error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw failed(`answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw failed(`document is larger than ${maxBytes} bytes`);
  }
  let text: string;
  try {
    text = await readCapped(response, maxBytes);
  } catch (error) {
    throw failed((error as Error).message === 'too large' ? `document is larger than ${maxBytes} bytes` : 'could not be read', error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw failed('is not JSON', error);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys) || keys.some((key) => typeof key !== 'object' || key === null)) {
    throw failed('is not a JWK Set (RFC 7517 section 5)');
  }
  return { keys: keys as Record<string, unknown>[] };
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error('too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
