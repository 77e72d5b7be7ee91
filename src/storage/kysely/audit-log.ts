// AuditLog on Kysely: append-only inserts; reads newest first with optional filters.
import type { Kysely } from 'kysely';
import type { AuditEventRecord, AuditLog } from '../storage.js';
import type { Database } from './schema.js';

export function kyselyAuditLog(db: Kysely<Database>): AuditLog {
  return {
    async record(event) {
      await db
        .insertInto('audit_events')
        .values({
          id: event.id,
          at: event.at,
          type: event.type,
          actor: event.actor,
          client_id: event.clientId ?? null,
          subject: event.subject ?? null,
          ip: event.ip ?? null,
          user_agent: event.userAgent ?? null,
          details: JSON.stringify(event.details),
        })
        .execute();
    },
    async list(query) {
      let select = db.selectFrom('audit_events').selectAll();
      if (query.since !== undefined) select = select.where('at', '>=', query.since);
      if (query.type !== undefined) select = select.where('type', '=', query.type);
      if (query.clientId !== undefined) select = select.where('client_id', '=', query.clientId);
      const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit ?? 100).execute();
      return rows.map(
        (row): AuditEventRecord => ({
          id: row.id,
          at: Number(row.at),
          type: row.type,
          actor: row.actor,
          ...(row.client_id !== null && { clientId: row.client_id }),
          ...(row.subject !== null && { subject: row.subject }),
          ...(row.ip !== null && { ip: row.ip }),
          ...(row.user_agent !== null && { userAgent: row.user_agent }),
          details: JSON.parse(row.details) as AuditEventRecord['details'],
        }),
      );
    },
  };
}
