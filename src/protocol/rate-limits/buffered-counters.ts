// Rate-limit counters counted in memory and flushed to the shared table (issue #10 §2): a database write per hit cost
// two upserts on every token request (~290 µs each on SQLite). Each process counts its own hits at once, exactly,
// and exchanges them with the shared table at most once per `syncMs` per key (and on a timer), so the hits of the
// other processes sharing the database are seen at most about `syncMs` late. With P processes a key can therefore
// be admitted above its limit by what the other P−1 processes admit for it in about two sync intervals.
// RFC 6585 §4 (429 with Retry-After) is unchanged: the estimate is still the sliding window of rate-limit.ts.
import type { Clock } from '../../lib/clock.js';
import type { RateLimitCounters } from '../../storage/storage.js';

/** How stale the shared count may be before a hit on the key reads it again; also the flush interval. */
export const RATE_LIMIT_SYNC_MS = 1000;

interface Entry {
  windowStart: number;
  windowMs: number;
  /** The shared count of `windowStart` as of the last exchange (this process's flushed hits included). */
  shared: number;
  previous: number;
  /** Hits counted here and not yet written. */
  pending: number;
  syncedAt: number;
  syncing?: Promise<void>;
}

export interface BufferedRateLimitCounters extends RateLimitCounters {
  /**
   * `hit`, without waiting, when the key's counts are fresh in memory (the common case): counts the hit and returns
   * the counts; `undefined` (nothing counted) when the shared table must be read first, and `hit` is then the way.
   */
  hitNow(key: string, windowStart: number, windowMs: number): { count: number; previousCount: number } | undefined;
  /** Writes every pending hit to the shared table (on the timer, and on close). */
  flush(): Promise<void>;
}

export function bufferRateLimitCounters(counters: RateLimitCounters, clock: Clock, syncMs = RATE_LIMIT_SYNC_MS): BufferedRateLimitCounters {
  const entries = new Map<string, Entry>();

  /** Exchanges one key's pending hits (plus `extra`, counted now) for the shared counts, in `windowStart`. */
  function exchange(key: string, entry: Entry | undefined, windowStart: number, windowMs: number, extra: number): Promise<void> {
    const work = (async () => {
      // Hits still pending for a window that has ended go to that window first, so they weigh as `previousCount`.
      if (entry !== undefined && entry.pending > 0 && entry.windowStart !== windowStart) {
        const stale = entry.pending;
        entry.pending = 0;
        await counters.hit(key, entry.windowStart, entry.windowMs, stale);
      }
      const carried = entry !== undefined && entry.windowStart === windowStart ? entry.pending : 0;
      if (entry !== undefined) entry.pending = 0;
      let result: { count: number; previousCount: number };
      try {
        result = await counters.hit(key, windowStart, windowMs, carried + extra);
      } catch (error) {
        if (entry !== undefined) entry.pending += carried; // not lost: the next exchange writes them
        throw error;
      }
      // Hits on this key wait while it is exchanged, so nothing was counted here meanwhile.
      entries.set(key, { windowStart, windowMs, shared: result.count, previous: result.previousCount, pending: 0, syncedAt: clock.now() });
    })();
    const holder = entry ?? { windowStart, windowMs, shared: 0, previous: 0, pending: 0, syncedAt: Number.NEGATIVE_INFINITY };
    const syncing = work.finally(() => {
      if (holder.syncing === syncing) delete holder.syncing;
    });
    holder.syncing = syncing;
    if (entry === undefined) entries.set(key, holder);
    return syncing;
  }

  /** The key's entry when its counts can be used as they are: same window, not being exchanged, fresh enough. */
  function current(key: string, windowStart: number, windowMs: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined || entry.syncing !== undefined || entry.windowStart !== windowStart || entry.windowMs !== windowMs || clock.now() - entry.syncedAt >= syncMs) return undefined;
    return entry;
  }

  return {
    hitNow(key, windowStart, windowMs) {
      const entry = current(key, windowStart, windowMs);
      if (entry === undefined) return undefined;
      entry.pending += 1;
      return { count: entry.shared + entry.pending, previousCount: entry.previous };
    },

    async hit(key, windowStart, windowMs, hits = 1) {
      let entry = entries.get(key);
      while (entry?.syncing !== undefined) {
        await entry.syncing.catch(() => undefined);
        entry = entries.get(key);
      }
      if (entry === undefined || entry.windowStart !== windowStart || entry.windowMs !== windowMs || clock.now() - entry.syncedAt >= syncMs) {
        await exchange(key, entry, windowStart, windowMs, hits);
        const fresh = entries.get(key) as Entry;
        return { count: fresh.shared + fresh.pending, previousCount: fresh.previous };
      }
      entry.pending += hits;
      return { count: entry.shared + entry.pending, previousCount: entry.previous };
    },

    async flush() {
      const now = clock.now();
      const work: Promise<void>[] = [];
      for (const [key, entry] of entries) {
        if (entry.syncing !== undefined) continue;
        if (entry.pending > 0) work.push(exchange(key, entry, entry.windowStart, entry.windowMs, 0));
        else if (now - entry.syncedAt >= 2 * entry.windowMs) entries.delete(key); // idle for two windows: forgotten
      }
      await Promise.all(work);
    },

    deleteExpired: (before, limit) => counters.deleteExpired(before, limit),
  };
}
