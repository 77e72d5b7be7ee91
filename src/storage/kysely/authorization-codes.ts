// Authorization codes on Kysely, by hash. consume() is one UPDATE … WHERE consumed_at IS NULL; the row count names the winner.
import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationCodeRecord } from '../records/authorization-code.js';
import type { AuthorizationCodes } from '../storage.js';
import type { AuthorizationCodesTable, Database } from './schema.js';

const fromRow = (row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord => ({
  hash: row.hash,
  clientId: row.client_id,
  grantId: row.grant_id,
  subject: row.subject,
  redirectUri: row.redirect_uri,
  redirectUriProvided: Number(row.redirect_uri_provided) === 1,
  ...(row.code_challenge !== null && { codeChallenge: row.code_challenge }),
  ...(row.nonce !== null && { nonce: row.nonce }),
  ...(row.dpop_jkt !== null && { dpopJkt: row.dpop_jkt }),
  scope: JSON.parse(row.scope) as string[],
  authTime: Number(row.auth_time),
  ...(row.acr !== null && { acr: row.acr }),
  amr: JSON.parse(row.amr) as string[],
  ...(row.session_id !== null && { sessionId: row.session_id }),
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  ...(row.consumed_at !== null && { consumedAt: Number(row.consumed_at) }),
});

export function kyselyAuthorizationCodes(db: Kysely<Database>): AuthorizationCodes {
  return {
    async save(code) {
      await db
        .insertInto('authorization_codes')
        .values({
          hash: code.hash,
          client_id: code.clientId,
          grant_id: code.grantId,
          subject: code.subject,
          redirect_uri: code.redirectUri,
          redirect_uri_provided: code.redirectUriProvided ? 1 : 0,
          code_challenge: code.codeChallenge ?? null,
          nonce: code.nonce ?? null,
          dpop_jkt: code.dpopJkt ?? null,
          scope: JSON.stringify(code.scope),
          auth_time: code.authTime,
          acr: code.acr ?? null,
          amr: JSON.stringify(code.amr),
          session_id: code.sessionId ?? null,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: null,
        })
        .execute();
    },
    async find(codeHash) {
      const row = await db.selectFrom('authorization_codes').selectAll().where('hash', '=', codeHash).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async consume(codeHash, at) {
      const result = await db
        .updateTable('authorization_codes')
        .set({ consumed_at: at })
        .where('hash', '=', codeHash)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('authorization_codes')
        .where('hash', 'in', (qb) => qb.selectFrom('authorization_codes').select('hash').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
