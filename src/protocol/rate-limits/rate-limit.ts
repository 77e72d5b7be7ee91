// Rate limits (issue 9 item 4; RFC 9700 §4.x guidance against brute force and flooding, RFC 6585 §4 429 with
// Retry-After): a sliding-window estimate from two fixed-window counters kept in the shared database.
import type { RateLimitedEndpoint, RateLimitRule } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import type { RateLimitCounters } from '../../storage/storage.js';
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
  const windowMs = windowSeconds * 1000;
  const now = deps.clock.now();
  const windowStart = now - (now % windowMs);
  const { count, previousCount } = await deps.counters.hit(key, windowStart, windowMs);
  const elapsed = (now - windowStart) / windowMs;
  const estimate = previousCount * (1 - elapsed) + count;
  if (estimate <= limit) return;
  // The estimate falls as the previous window slides out; waiting for this window's end is always enough.
  const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  throw new OAuthError('too_many_requests', 'too many requests: retry later', { headers: { 'retry-after': String(retryAfter) } });
}
