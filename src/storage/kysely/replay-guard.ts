// ReplayGuard on Kysely: single use is one INSERT … ON CONFLICT DO NOTHING; the row count says who won.
import type { Kysely } from 'kysely';
import type { Dialect, ReplayGuard } from '../storage.js';
import type { DirectExecutor } from './sqlite-dialect.js';
import { hotWrite } from './hot-query.js';
import type { Database } from './schema.js';

export function kyselyReplayGuard(db: Kysely<Database>, dialect: Dialect, direct?: DirectExecutor): ReplayGuard {
  // Precompiled (hot-query.ts): one insert per client assertion (private_key_jwt, client_secret_jwt) and other one-time ids.
  const insert = hotWrite(db, dialect, 'insert into "replay_records" ("key", "expires_at") values (?, ?) on conflict ("key") do nothing', direct);
  return {
    async use(key, expiresAt) {
      return (await insert([key, expiresAt])) === 1n;
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
