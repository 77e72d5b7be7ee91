// Rate limits (issue 9 item 4; RFC 9700 §4.x guidance against brute force and flooding, RFC 6585 §4 429 with
// Retry-After): a sliding-window estimate from two fixed-window counters kept in the shared database.
import type { RateLimitedEndpoint, RateLimitRule } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import type { RateLimitCounters } from '../../storage/storage.js';
import type { BufferedRateLimitCounters } from './buffered-counters.js';
import { OAuthError } from '../errors.js';

export type { RateLimitedEndpoint, RateLimitRule };

export interface RateLimitDeps {
  readonly counters: RateLimitCounters;
  readonly clock: Clock;
}

/**
 * Counts one hit on `key` and refuses it with 429 too_many_requests and Retry-After when the sliding-window
 * estimate (previous window weighted by how much of it still overlaps, plus this window) is over `limit`.
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 */
export async function enforceRateLimit(key: string, limit: number, windowSeconds: number, deps: RateLimitDeps): Promise<void> {
  if (limit <= 0) return;
  const { now, windowStart, windowMs } = windowAt(deps.clock.now(), windowSeconds);
  refuseOverLimit(await deps.counters.hit(key, windowStart, windowMs), limit, now, windowStart, windowMs);
}

/**
 * `enforceRateLimit` without waiting, when `hitNow` has the key's counts in memory (buffered-counters.ts): true once
 * the hit is counted and allowed (throws the same 429 when refused); false when nothing was counted and
 * `enforceRateLimit` must be awaited instead. Saves a promise per check on every token request (issue #10 §2).
 */
export function enforceRateLimitNow(key: string, limit: number, windowSeconds: number, deps: { counters: Pick<BufferedRateLimitCounters, 'hitNow'>; clock: Clock }): boolean {
  if (limit <= 0) return true;
  const { now, windowStart, windowMs } = windowAt(deps.clock.now(), windowSeconds);
  const counts = deps.counters.hitNow(key, windowStart, windowMs);
  if (counts === undefined) return false;
  refuseOverLimit(counts, limit, now, windowStart, windowMs);
  return true;
}

/** The fixed window `now` falls in. */
function windowAt(now: number, windowSeconds: number): { now: number; windowStart: number; windowMs: number } {
  const windowMs = windowSeconds * 1000;
  return { now, windowStart: now - (now % windowMs), windowMs };
}

function refuseOverLimit({ count, previousCount }: { count: number; previousCount: number }, limit: number, now: number, windowStart: number, windowMs: number): void {
  const elapsed = (now - windowStart) / windowMs;
  const estimate = previousCount * (1 - elapsed) + count;
  if (estimate <= limit) return;
  // The estimate falls as the previous window slides out; waiting for this window's end is always enough.
  const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  throw new OAuthError('too_many_requests', 'too many requests: retry later', { headers: { 'retry-after': String(retryAfter) } });
}
