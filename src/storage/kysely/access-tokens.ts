// AccessTokens on Kysely: one row per issued token, keyed by its SHA-256 (opaque) or jti (JWT).
import type { Kysely, Selectable } from 'kysely';
import type { AccessTokenRecord, AccessTokenRecordFormat, ActorClaim } from '../records/access-token.js';
import type { AccessTokens, Dialect } from '../storage.js';
import { AUDIT_INSERT, auditParameters } from './audit-log.js';
import { hotAtomicWrites, hotQuery } from './hot-query.js';
import type { DirectExecutor } from './sqlite-dialect.js';
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

const REVOKE = 'update "access_tokens" set "revoked_at" = ? where "id" = ? and "revoked_at" is null';

const COLUMNS = ['id', 'format', 'client_id', 'grant_id', 'subject', 'scope', 'audience', 'dpop_jkt', 'issued_at', 'expires_at', 'revoked_at', 'act'] as const;

export function kyselyAccessTokens(db: Kysely<Database>, dialect: Dialect, direct?: DirectExecutor): AccessTokens {
  // Precompiled (hot-query.ts): one insert per token response, one lookup per introspection.
  const insertSql = `insert into "access_tokens" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`;
  const insert = hotQuery(db, dialect, insertSql, direct);
  const select = hotQuery<Selectable<AccessTokensTable>, Database>(db, dialect, `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from "access_tokens" where "id" = ?`, direct);
  const insertWithEvent = tokenWithEvent(db, dialect, insertSql, direct);
  // Revocation with its audit event (RFC 7009 §2.1, issue 9 item 8): one unit of work, precompiled.
  const revokeRecorded = hotAtomicWrites(db, dialect, [REVOKE, AUDIT_INSERT], direct);
  return {
    async save(token, issued) {
      const row = [
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
      ];
      await (issued === undefined ? insert(row) : insertWithEvent(row, auditParameters(issued)));
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

/**
 * A token's INSERT with its audit row's, both or neither: on PostgreSQL one statement (a data-modifying WITH, one
 * round trip), on SQLite one savepoint unit of the group commit.
 */
function tokenWithEvent(db: Kysely<Database>, dialect: Dialect, insertSql: string, direct: DirectExecutor | undefined): (row: unknown[], event: unknown[]) => Promise<unknown> {
  if (dialect === 'postgres') {
    const both = hotQuery(db, dialect, `with "token" as (${insertSql}) ${AUDIT_INSERT}`, direct);
    return (row, event) => both([...row, ...event]);
  }
  const unit = hotAtomicWrites(db, dialect, [insertSql, AUDIT_INSERT], direct);
  return (row, event) => unit([row, event]);
}
