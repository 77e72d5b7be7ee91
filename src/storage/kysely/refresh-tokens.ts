// RefreshTokens on Kysely. Rotation is one conditional UPDATE (… AND rotated_at IS NULL AND revoked_at IS NULL,
// row count 1) plus the successor's INSERT in the same transaction: one winner however many processes race.
import type { Kysely, Selectable } from 'kysely';
import type { RefreshTokenRecord } from '../records/refresh-token.js';
import type { RefreshTokens } from '../storage.js';
import type { Database, RefreshTokensTable } from './schema.js';

const toRow = (token: RefreshTokenRecord): RefreshTokensTable => ({
  hash: token.hash,
  grant_id: token.grantId,
  client_id: token.clientId,
  subject: token.subject ?? null,
  scope: token.scope.join(' '),
  dpop_jkt: token.dpopJkt ?? null,
  issued_at: token.issuedAt,
  expires_at: token.expiresAt,
  absolute_expires_at: token.absoluteExpiresAt,
  rotated_at: token.rotatedAt ?? null,
  successor_hash: token.successorHash ?? null,
  revoked_at: token.revokedAt ?? null,
});

const fromRow = (row: Selectable<RefreshTokensTable>): RefreshTokenRecord => ({
  hash: row.hash,
  grantId: row.grant_id,
  clientId: row.client_id,
  ...(row.subject !== null && { subject: row.subject }),
  scope: row.scope === '' ? [] : row.scope.split(' '),
  ...(row.dpop_jkt !== null && { dpopJkt: row.dpop_jkt }),
  issuedAt: Number(row.issued_at),
  expiresAt: Number(row.expires_at),
  absoluteExpiresAt: Number(row.absolute_expires_at),
  ...(row.rotated_at !== null && { rotatedAt: Number(row.rotated_at) }),
  ...(row.successor_hash !== null && { successorHash: row.successor_hash }),
  ...(row.revoked_at !== null && { revokedAt: Number(row.revoked_at) }),
});

export function kyselyRefreshTokens(db: Kysely<Database>): RefreshTokens {
  return {
    async save(token) {
      await db.insertInto('refresh_tokens').values(toRow(token)).execute();
    },

    async find(hash) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async rotate(oldHash, next) {
      const work = async (trx: Kysely<Database>): Promise<boolean> => {
        const result = await trx
          .updateTable('refresh_tokens')
          .set({ rotated_at: next.issuedAt, successor_hash: next.hash })
          .where('hash', '=', oldHash)
          .where('rotated_at', 'is', null)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (result.numUpdatedRows !== 1n) return false;
        await trx.insertInto('refresh_tokens').values(toRow(next)).execute();
        return true;
      };
      return db.isTransaction ? work(db) : db.transaction().execute(work);
    },

    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where('hash', 'in', (qb) => qb.selectFrom('refresh_tokens').select('hash').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
