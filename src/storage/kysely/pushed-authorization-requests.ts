// Pushed authorization requests (RFC 9126) on Kysely: using one is one UPDATE … WHERE consumed_at IS NULL.
import type { Kysely } from 'kysely';
import type { PushedAuthorizationRequests } from '../storage.js';
import type { Database } from './schema.js';

export function kyselyPushedAuthorizationRequests(db: Kysely<Database>): PushedAuthorizationRequests {
  return {
    async save(request) {
      await db
        .insertInto('pushed_authorization_requests')
        .values({
          hash: request.hash,
          client_id: request.clientId,
          params: JSON.stringify(request.params),
          created_at: request.createdAt,
          expires_at: request.expiresAt,
          consumed_at: null,
        })
        .execute();
    },
    async consume(hash, at) {
      const result = await db
        .updateTable('pushed_authorization_requests')
        .set({ consumed_at: at })
        .where('hash', '=', hash)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return undefined;
      const row = await db.selectFrom('pushed_authorization_requests').selectAll().where('hash', '=', hash).executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        hash: row.hash,
        clientId: row.client_id,
        params: JSON.parse(row.params) as Record<string, string>,
        createdAt: Number(row.created_at),
        expiresAt: Number(row.expires_at),
      };
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('pushed_authorization_requests')
        .where('hash', 'in', (qb) => qb.selectFrom('pushed_authorization_requests').select('hash').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
