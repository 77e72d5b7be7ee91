// AuditLog on Kysely: append-only inserts; reads newest first with optional filters.
import type { Kysely } from 'kysely';
import type { AuditEventRecord, AuditLog, Dialect } from '../storage.js';
import { hotQuery } from './hot-query.js';
import type { Database } from './schema.js';
import type { DirectExecutor } from './sqlite-dialect.js';

/** The audit row's INSERT, `?` placeholders for `auditParameters` (precompiled: every token response writes one). */
export const AUDIT_INSERT = 'insert into "audit_events" ("id", "at", "type", "actor", "client_id", "subject", "ip", "user_agent", "details") values (?, ?, ?, ?, ?, ?, ?, ?, ?)';

export function auditParameters(event: AuditEventRecord): unknown[] {
  return [event.id, event.at, event.type, event.actor, event.clientId ?? null, event.subject ?? null, event.ip ?? null, event.userAgent ?? null, JSON.stringify(event.details)];
}

export function kyselyAuditLog(db: Kysely<Database>, dialect: Dialect, direct?: DirectExecutor): AuditLog {
  const insert = hotQuery(db, dialect, AUDIT_INSERT, direct);
  return {
    async record(event) {
      await insert(auditParameters(event));
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
