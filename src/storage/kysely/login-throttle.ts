// Failed-login counters on Kysely: each failure is one upsert, so processes sharing the database count together.
import { sql, type Kysely } from 'kysely';
import type { LoginThrottle } from '../storage.js';
import type { Database } from './schema.js';

export function kyselyLoginThrottle(db: Kysely<Database>): LoginThrottle {
  return {
    async find(keys) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('login_failures').selectAll().where('key', 'in', keys).execute();
      return rows.map((row) => ({ key: row.key, failures: Number(row.failures), lastFailureAt: Number(row.last_failure_at) }));
    },
    async recordFailure(key, at, windowMs) {
      await db
        .insertInto('login_failures')
        .values({ key, failures: 1, last_failure_at: at })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when login_failures.last_failure_at < ${at - windowMs} then 1 else login_failures.failures + 1 end`,
            last_failure_at: at,
          }),
        )
        .execute();
    },
    async clear(key) {
      await db.deleteFrom('login_failures').where('key', '=', key).execute();
    },
  };
}
