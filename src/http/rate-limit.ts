// Applies the per-endpoint rate limits (issue 9 item 4) to routes by path as they are registered: per IP before the
// body is read, per client (Basic user name, or client_id in the form) once it is parsed. 429 comes from the error
// handler with Retry-After. Routes registered later (token, introspection, PAR, login, device) get them the same way.
import type { FastifyInstance, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import type { Config, RateLimitedEndpoint } from '../config/config.js';
import type { Clock } from '../lib/clock.js';
import { bufferRateLimitCounters, RATE_LIMIT_SYNC_MS, type BufferedRateLimitCounters } from '../protocol/rate-limits/buffered-counters.js';
import { enforceRateLimit, enforceRateLimitNow } from '../protocol/rate-limits/rate-limit.js';
import type { RateLimitCounters } from '../storage/storage.js';
import { StorageFaultError } from '../storage/storage-fault.js';
import { logStorageFault } from './storage-fault-log.js';

/** Route path → the endpoint whose limits it takes (POST routes only). */
export const RATE_LIMITED_ROUTES: Readonly<Record<string, RateLimitedEndpoint>> = {
  '/register': 'registration',
  '/token': 'token',
  '/introspect': 'introspection',
  '/revoke': 'revocation',
  '/par': 'par',
  '/interaction/:id/login': 'login',
  '/device': 'device',
};

export interface RateLimitHookDeps {
  readonly config: Pick<Config, 'rateLimits'>;
  readonly storage: { readonly rateLimits: RateLimitCounters };
  readonly clock: Clock;
}

/** The client a request claims to be (not yet authenticated: a key for counting, nothing more). */
export function claimedClientId(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('basic ') === true) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return safeDecode(decoded.slice(0, colon)); // RFC 6749 §2.3.1: form-encoded
  }
  const body = request.body as Record<string, unknown> | undefined;
  const fromBody = typeof body === 'object' && body !== null ? body.client_id : undefined;
  return typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * The two hooks that enforce `endpoint`'s limits: per IP (onRequest) and per client (preHandler). Callback-style:
 * when the counts are in memory (buffered counters, nearly always) a check costs no promise (issue #10 §2).
 */
export function rateLimitHooks(endpoint: RateLimitedEndpoint, deps: RateLimitHookDeps, counters: RateLimitCounters = deps.storage.rateLimits): { onRequest: onRequestHookHandler; preHandler: preHandlerHookHandler } {
  const rule = deps.config.rateLimits[endpoint];
  const counting = { counters, clock: deps.clock };
  const buffered = 'hitNow' in counters ? { counters: counters as BufferedRateLimitCounters, clock: deps.clock } : undefined;
  const check = (request: FastifyRequest, key: string, limit: number, done: HookHandlerDoneFunction): void => {
    let counted: boolean;
    try {
      counted = buffered !== undefined && enforceRateLimitNow(key, limit, rule.windowSeconds, buffered);
    } catch (error) {
      done(error as Error); // 429
      return;
    }
    if (counted) done(); // outside the try: what runs next (the route) is not this check's failure
    else unlessUnwritable(request, enforceRateLimit(key, limit, rule.windowSeconds, counting)).then(() => done(), done);
  };
  return {
    onRequest(request, _reply, done) {
      check(request, `${endpoint}:ip:${request.ip}`, rule.perIp, done);
    },
    preHandler(request, _reply, done) {
      const clientId = claimedClientId(request);
      if (clientId === undefined) done();
      else check(request, `${endpoint}:client:${clientId.slice(0, 200)}`, rule.perClient, done);
    },
  };
}

/**
 * Issue 9 item 7: a counter the database cannot write (full or read-only disk) does not refuse the request. An
 * endpoint that only reads (introspection) keeps answering; one that writes (token, login, registration) fails at its
 * own write with 503 anyway, so nothing is gained by a flood meanwhile. An unreachable database still fails here.
 */
async function unlessUnwritable(request: FastifyRequest, counting: Promise<void>): Promise<void> {
  try {
    await counting;
  } catch (error) {
    if (!(error instanceof StorageFaultError)) throw error;
    logStorageFault(error, request.log);
    request.log.warn({ err: error }, 'rate limit not counted: the database cannot be written');
  }
}

const SWEEP_INTERVAL_MS = 60_000;

export function registerRateLimits(app: FastifyInstance, deps: RateLimitHookDeps): void {
  // Counters whose windows are over are deleted in small batches, so the table stays the size of the active keys.
  const longestWindowMs = Math.max(...Object.values(deps.config.rateLimits).map((rule) => rule.windowSeconds)) * 1000;
  // Hits are counted in this process and exchanged with the shared table at most once a second per key (issue #10
  // §2: two upserts per token request were most of its database time); see buffered-counters.ts for the bound.
  const counters = bufferRateLimitCounters(deps.storage.rateLimits, deps.clock);
  let sweeper: NodeJS.Timeout | undefined;
  let flusher: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    sweeper = setInterval(() => {
      deps.storage.rateLimits.deleteExpired(deps.clock.now() - 2 * longestWindowMs, 1000).catch((error: unknown) => app.log.warn({ err: error }, 'rate limit sweep failed'));
    }, SWEEP_INTERVAL_MS).unref();
    flusher = setInterval(() => {
      counters.flush().catch((error: unknown) => app.log.warn({ err: error }, 'rate limit flush failed'));
    }, RATE_LIMIT_SYNC_MS).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    clearInterval(flusher);
    await counters.flush().catch((error: unknown) => app.log.warn({ err: error }, 'rate limit flush failed'));
  });
  app.addHook('onRoute', (route) => {
    const endpoint = RATE_LIMITED_ROUTES[route.url];
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (endpoint === undefined || !methods.includes('POST')) return;
    const hooks = rateLimitHooks(endpoint, deps, counters);
    const append = <T>(existing: T | T[] | undefined, hook: T): T[] => [hook, ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing])];
    route.onRequest = append(route.onRequest, hooks.onRequest) as typeof route.onRequest;
    route.preHandler = append(route.preHandler, hooks.preHandler) as typeof route.preHandler;
  });
}
