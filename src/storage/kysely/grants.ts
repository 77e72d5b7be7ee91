// Grants on Kysely. revoke() and touch() lock the grant row first, so issuance and revocation of one family
// serialize on it across processes (PostgreSQL row lock; SQLite's single writer).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { GrantRecord } from '../records/grant.js';
import type { Grants } from '../storage.js';
import type { Database, GrantsTable } from './schema.js';

const fromRow = (row: Selectable<GrantsTable>): GrantRecord => ({
  id: row.id,
  clientId: row.client_id,
  ...(row.subject !== null && { subject: row.subject }),
  scope: row.scope === '' ? [] : row.scope.split(' '),
  resources: JSON.parse(row.resources) as string[],
  ...(row.session_id !== null && { sessionId: row.session_id }),
  ...(row.auth_time !== null && { authTime: Number(row.auth_time) }),
  ...(row.acr !== null && { acr: row.acr }),
  ...(row.amr !== null && { amr: JSON.parse(row.amr) as string[] }),
  createdAt: Number(row.created_at),
  ...(row.expires_at !== null && { expiresAt: Number(row.expires_at) }),
  ...(row.last_used_at !== null && { lastUsedAt: Number(row.last_used_at) }),
  ...(row.revoked_at !== null && { revokedAt: Number(row.revoked_at) }),
});

export function kyselyGrants(db: Kysely<Database>): Grants {
  const inTransaction = <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    db.isTransaction ? work(db) : db.transaction().execute(work);

  return {
    async create(grant) {
      await db
        .insertInto('grants')
        .values({
          id: grant.id,
          client_id: grant.clientId,
          subject: grant.subject ?? null,
          scope: grant.scope.join(' '),
          resources: JSON.stringify(grant.resources),
          session_id: grant.sessionId ?? null,
          auth_time: grant.authTime ?? null,
          acr: grant.acr ?? null,
          amr: grant.amr === undefined ? null : JSON.stringify(grant.amr),
          created_at: grant.createdAt,
          expires_at: grant.expiresAt ?? null,
          last_used_at: grant.lastUsedAt ?? null,
          revoked_at: grant.revokedAt ?? null,
        })
        .execute();
    },

    async find(id) {
      const row = await db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },

    async revoke(id, at) {
      await inTransaction(async (trx) => {
        // The grant row first: a concurrent touch() waits for this to commit, then sees the grant revoked.
        await trx.updateTable('grants').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
        await trx.updateTable('refresh_tokens').set({ revoked_at: at }).where('grant_id', '=', id).where('revoked_at', 'is', null).execute();
        await trx.updateTable('access_tokens').set({ revoked_at: at }).where('grant_id', '=', id).where('revoked_at', 'is', null).execute();
      });
    },

    async listBySubject(subject) {
      const rows = await db
        .selectFrom('grants')
        .selectAll()
        .where('subject', '=', subject)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(1000)
        .execute();
      return rows.map(fromRow);
    },

    async clientIdsBySession(sessionId) {
      const rows = await db.selectFrom('grants').select('client_id').distinct().where('session_id', '=', sessionId).orderBy('client_id').execute();
      return rows.map((row) => row.client_id);
    },

    async touch(id, at, coversUntil) {
      const result = await db
        .updateTable('grants')
        .set({
          last_used_at: at,
          // A grant without an expiry is kept until revoked; one with an expiry must outlive every token under it.
          expires_at: sql<number | null>`case when expires_at is not null and expires_at < ${coversUntil} then ${coversUntil} else expires_at end`,
        })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async deleteExpired(now, limit) {
      const expired = await db
        .deleteFrom('grants')
        .where('id', 'in', (qb) => qb.selectFrom('grants').select('id').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      let deleted = Number(expired.numDeletedRows);
      if (deleted < limit) {
        const revoked = await db
          .deleteFrom('grants')
          .where('id', 'in', (qb) => qb.selectFrom('grants').select('id').where('revoked_at', '<', now).limit(limit - deleted))
          .executeTakeFirst();
        deleted += Number(revoked.numDeletedRows);
      }
      return deleted;
    },
  };
}
