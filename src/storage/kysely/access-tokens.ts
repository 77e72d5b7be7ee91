// AccessTokens on Kysely: one row per issued token, keyed by its SHA-256 (opaque) or jti (JWT).
import type { Kysely, Selectable } from 'kysely';
import type { AccessTokenRecord, AccessTokenRecordFormat, ActorClaim } from '../records/access-token.js';
import type { AccessTokens } from '../storage.js';
import type { AccessTokensTable, Database } from './schema.js';

const fromRow = (row: Selectable<AccessTokensTable>): AccessTokenRecord => ({
  id: row.id,
  format: row.format as AccessTokenRecordFormat,
  clientId: row.client_id,
  ...(row.grant_id !== null && { grantId: row.grant_id }),
  ...(row.subject !== null && { subject: row.subject }),
  scope: row.scope === '' ? [] : row.scope.split(' '),
  audience: JSON.parse(row.audience) as string[],
  ...(row.dpop_jkt !== null && { dpopJkt: row.dpop_jkt }),
  issuedAt: Number(row.issued_at),
  expiresAt: Number(row.expires_at),
  ...(row.revoked_at !== null && { revokedAt: Number(row.revoked_at) }),
  ...(row.act !== null && { act: JSON.parse(row.act) as ActorClaim }),
});

export function kyselyAccessTokens(db: Kysely<Database>): AccessTokens {
  return {
    async save(token) {
      await db
        .insertInto('access_tokens')
        .values({
          id: token.id,
          format: token.format,
          client_id: token.clientId,
          grant_id: token.grantId ?? null,
          subject: token.subject ?? null,
          scope: token.scope.join(' '),
          audience: JSON.stringify(token.audience),
          dpop_jkt: token.dpopJkt ?? null,
          issued_at: token.issuedAt,
          expires_at: token.expiresAt,
          revoked_at: token.revokedAt ?? null,
          act: token.act === undefined ? null : JSON.stringify(token.act),
        })
        .execute();
    },

    async find(id) {
      const row = await db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async revoke(id, at) {
      const result = await db.updateTable('access_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('access_tokens')
        .where('id', 'in', (qb) => qb.selectFrom('access_tokens').select('id').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
