// AccessTokens on Kysely: one row per issued token, keyed by its SHA-256 (opaque) or jti (JWT).
import type { Kysely, Selectable } from 'kysely';
import type { AccessTokenRecord, AccessTokenRecordFormat, ActorClaim } from '../records/access-token.js';
import type { AccessTokens, AuditEventRecord, Dialect } from '../storage.js';
import { hotAtomicWrites, hotQuery } from './hot-query.js';
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

/** The audit log's insert (audit-log.ts), for the revocation that must commit with its event. */
const AUDIT_INSERT = 'insert into "audit_events" ("id", "at", "type", "actor", "client_id", "subject", "ip", "user_agent", "details") values (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const auditParameters = (event: AuditEventRecord): unknown[] => [
  event.id,
  event.at,
  event.type,
  event.actor,
  event.clientId ?? null,
  event.subject ?? null,
  event.ip ?? null,
  event.userAgent ?? null,
  JSON.stringify(event.details),
];
const REVOKE = 'update "access_tokens" set "revoked_at" = ? where "id" = ? and "revoked_at" is null';

const COLUMNS = ['id', 'format', 'client_id', 'grant_id', 'subject', 'scope', 'audience', 'dpop_jkt', 'issued_at', 'expires_at', 'revoked_at', 'act'] as const;

export function kyselyAccessTokens(db: Kysely<Database>, dialect: Dialect): AccessTokens {
  // The two hottest statements, precompiled (hot-query.ts): one insert per token response, one lookup per introspection.
  const insert = hotQuery(db, dialect, `insert into "access_tokens" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
  const select = hotQuery<Selectable<AccessTokensTable>, Database>(db, dialect, `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from "access_tokens" where "id" = ?`);
  // Revocation with its audit event (RFC 7009 §2.1, issue 9 item 8): one unit of work, precompiled.
  const revokeRecorded = hotAtomicWrites(db, dialect, [REVOKE, AUDIT_INSERT]);
  return {
    async save(token) {
      await insert([
        token.id,
        token.format,
        token.clientId,
        token.grantId ?? null,
        token.subject ?? null,
        token.scope.join(' '),
        JSON.stringify(token.audience),
        token.dpopJkt ?? null,
        token.issuedAt,
        token.expiresAt,
        token.revokedAt ?? null,
        token.act === undefined ? null : JSON.stringify(token.act),
      ]);
    },

    async find(id) {
      const [row] = await select([id]);
      return row === undefined ? undefined : fromRow(row);
    },

    async revoke(id, at) {
      const result = await db.updateTable('access_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async revokeRecorded(id, at, event) {
      const [revoked] = await revokeRecorded([[at, id], auditParameters(event)]);
      return revoked === 1n;
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
