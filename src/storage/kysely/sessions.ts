// Login sessions on Kysely, found by the hash of the cookie secret.
import type { Kysely, Selectable } from 'kysely';
import type { SessionRecord } from '../records/session.js';
import type { Sessions } from '../storage.js';
import type { Database, SessionsTable } from './schema.js';

const fromRow = (row: Selectable<SessionsTable>): SessionRecord => ({
  id: row.id,
  secretHash: row.secret_hash,
  subject: row.subject,
  authTime: Number(row.auth_time),
  amr: JSON.parse(row.amr) as string[],
  ...(row.acr !== null && { acr: row.acr }),
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
  expiresAt: Number(row.expires_at),
});

export function kyselySessions(db: Kysely<Database>): Sessions {
  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          secret_hash: session.secretHash,
          subject: session.subject,
          auth_time: session.authTime,
          amr: JSON.stringify(session.amr),
          acr: session.acr ?? null,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },
    async findBySecretHash(secretHash) {
      const row = await db.selectFrom('sessions').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async find(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async touch(id, at) {
      await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).where('last_seen_at', '<', at).execute();
    },
    async delete(id) {
      const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async listBySubject(subject) {
      const rows = await db.selectFrom('sessions').selectAll().where('subject', '=', subject).orderBy('created_at', 'desc').limit(1000).execute();
      return rows.map(fromRow);
    },
    async listExpired(now, idleSince, limit) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
    async deleteBySubject(subject) {
      const result = await db.deleteFrom('sessions').where('subject', '=', subject).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('sessions')
        .where('id', 'in', (qb) => qb.selectFrom('sessions').select('id').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
