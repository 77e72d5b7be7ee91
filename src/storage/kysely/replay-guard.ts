// ReplayGuard on Kysely: single use is one INSERT … ON CONFLICT DO NOTHING; the row count says who won.
import type { Kysely } from 'kysely';
import type { ReplayGuard } from '../storage.js';
import type { Database } from './schema.js';

export function kyselyReplayGuard(db: Kysely<Database>): ReplayGuard {
  return {
    async use(key, expiresAt) {
      const result = await db
        .insertInto('replay_records')
        .values({ key, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n;
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('replay_records')
        .where('key', 'in', (qb) => qb.selectFrom('replay_records').select('key').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
