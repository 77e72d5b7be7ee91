// RateLimitCounters on Kysely: each hit is ONE statement, INSERT … ON CONFLICT DO UPDATE … RETURNING, the same text
// on SQLite (3.35+) and PostgreSQL. In SET every right-hand side reads the row as it was before the update.
import { sql, type Kysely } from 'kysely';
import type { RateLimitCounters } from '../storage.js';
import type { Database } from './schema.js';

export function kyselyRateLimits(db: Kysely<Database>): RateLimitCounters {
  return {
    async hit(key, windowStart, windowMs, hits = 1) {
      const previousWindow = windowStart - windowMs;
      const { rows } = await sql<{ count: number | string; previous_count: number | string }>`
        insert into rate_limits (key, window_start, count, previous_count) values (${key}, ${windowStart}, ${hits}, 0)
        on conflict (key) do update set
          previous_count = case
            when rate_limits.window_start >= ${windowStart} then rate_limits.previous_count
            when rate_limits.window_start = ${previousWindow} then rate_limits.count
            else 0 end,
          count = case when rate_limits.window_start >= ${windowStart} then rate_limits.count + ${hits} else ${hits} end,
          window_start = case when rate_limits.window_start >= ${windowStart} then rate_limits.window_start else ${windowStart} end
        returning count, previous_count`.execute(db);
      const row = rows[0];
      if (row === undefined) throw new Error('rate limit upsert returned no row');
      return { count: Number(row.count), previousCount: Number(row.previous_count) };
    },
    async deleteExpired(before, limit) {
      const result = await db
        .deleteFrom('rate_limits')
        .where('key', 'in', (qb) => qb.selectFrom('rate_limits').select('key').where('window_start', '<', before).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
