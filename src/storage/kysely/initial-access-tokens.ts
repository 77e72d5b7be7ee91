// InitialAccessTokens on Kysely (RFC 7591 §3): one row per token hash; expired rows are deleted in bounded batches.
import type { Kysely } from 'kysely';
import type { InitialAccessTokens } from '../storage.js';
import type { Database } from './schema.js';

export function kyselyInitialAccessTokens(db: Kysely<Database>): InitialAccessTokens {
  return {
    async create(token) {
      await db
        .insertInto('initial_access_tokens')
        .values({ token_hash: token.tokenHash, created_at: token.createdAt, expires_at: token.expiresAt })
        .execute();
    },
    async find(tokenHash) {
      const row = await db.selectFrom('initial_access_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row === undefined ? undefined : { tokenHash: row.token_hash, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) };
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('initial_access_tokens')
        .where('token_hash', 'in', (qb) => qb.selectFrom('initial_access_tokens').select('token_hash').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
