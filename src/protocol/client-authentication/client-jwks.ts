// Client key sets fetched from jwks_uri (RFC 7591 §2, RFC 7517 §5) through the outbound guard (https only, no
// private or metadata addresses, DNS-rebinding safe, timeout, size cap, no redirects: RFC 9700 §4.15), with a
// bounded TTL cache that is safe to lose; a forced refresh (unknown kid) is rate-limited per URI.
import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { parseOutboundAllowList } from '../../lib/outbound/address-policy.js';
import { guardedGet, outboundUrlProblem, OutboundRequestError, type OutboundPolicy, type Resolver } from '../../lib/outbound/guarded-fetch.js';
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
  /** Operator allow-list for internal targets (LATCHKEY_OUTBOUND_ALLOW). */
  readonly allow?: OutboundPolicy['allow'];
  /** Injected DNS (tests decide on addresses nothing connects to). */
  readonly resolve?: Resolver;
}

export const JWKS_FETCH_DEFAULTS = {
  timeoutMs: 3000, // a slow client must not hold a token request for long
  maxBytes: 64 * 1024,
  ttlMs: 5 * 60_000,
  refreshCooldownMs: 10_000, // an unknown kid refetches at most this often, so it cannot be used to make us flood a host
  maxEntries: 1000,
} as const;

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\])(?=[:/]|$)/i;

/** The outbound policy the configuration sets for client-supplied URLs. */
export function outboundPolicy(config: Config): OutboundPolicy {
  return { allow: parseOutboundAllowList(config.outboundAllow), allowLoopbackHttp: config.clients.allowLoopbackJwksUri };
}

export function createClientJwksSource(options: ClientJwksOptions): ClientJwksSource {
  const settings = { ...JWKS_FETCH_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const policy: OutboundPolicy = { allowLoopbackHttp: options.allowLoopbackHttp, ...(options.allow !== undefined && { allow: options.allow }) };
  const fetchOptions = { ...policy, ...(options.resolve !== undefined && { resolve: options.resolve }) };
  const cache = new Map<string, { jwks: JwkSet; fetchedAt: number }>();
  const inFlight = new Map<string, Promise<JwkSet>>();

  async function load(uri: string): Promise<JwkSet> {
    const jwks = await fetchJwks(uri, { ...fetchOptions, timeoutMs: settings.timeoutMs, maxBytes: settings.maxBytes });
    if (settings.ttlMs > 0) {
      cache.delete(uri); // re-insert: the Map's order is the eviction order
      cache.set(uri, { jwks, fetchedAt: options.clock.now() });
      while (cache.size > settings.maxEntries) cache.delete(cache.keys().next().value as string);
    }
    return jwks;
  }

  return {
    async get(uri, { refresh = false } = {}) {
      // Plain http (the loopback opt-in) only to a loopback IP literal: no DNS answer decides that a name is local.
      const problem = /^http:/i.test(uri) && !LOOPBACK_HTTP.test(uri) ? 'must use https' : outboundUrlProblem(uri, policy);
      if (problem !== undefined) throw invalidClient(`the client jwks_uri ${problem}`);
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

async function fetchJwks(uri: string, options: Parameters<typeof guardedGet>[1]): Promise<JwkSet> {
  const failed = (why: string, cause?: unknown): OAuthError => new OAuthError('invalid_client', `the client jwks_uri ${why}`, { cause });
  let response: Awaited<ReturnType<typeof guardedGet>>;
  try {
    response = await guardedGet(uri, { ...options, headers: { accept: 'application/jwk-set+json, application/json' } });
  } catch (error) {
    if (error instanceof OutboundRequestError) throw failed(error.reason === 'could not be fetched' || error.reason.startsWith('did not answer') ? 'could not be fetched' : error.reason, error);
    throw failed('could not be fetched', error);
  }
  if (response.status < 200 || response.status > 299) throw failed(`answered HTTP ${response.status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw failed('is not JSON', error);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys) || keys.some((key) => typeof key !== 'object' || key === null)) {
    throw failed('is not a JWK Set (RFC 7517 section 5)');
  }
  return { keys: keys as Record<string, unknown>[] };
}
