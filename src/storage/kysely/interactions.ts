// Pending interactions on Kysely. Finishing one is one UPDATE … WHERE consumed_at IS NULL whose row count names the winner.
import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationRequest, InteractionRecord } from '../records/authorization-request.js';
import type { Interactions } from '../storage.js';
import type { Database, InteractionsTable } from './schema.js';

const fromRow = (row: Selectable<InteractionsTable>): InteractionRecord => ({
  id: row.id,
  bindingHash: row.binding_hash,
  csrfToken: row.csrf_token,
  request: JSON.parse(row.request) as AuthorizationRequest,
  ...(row.session_id !== null && { sessionId: row.session_id }),
  accountConfirmed: Number(row.account_confirmed) === 1,
  loginRequested: Number(row.login_requested) === 1,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  ...(row.consumed_at !== null && { consumedAt: Number(row.consumed_at) }),
});

export function kyselyInteractions(db: Kysely<Database>): Interactions {
  return {
    async create(interaction) {
      await db
        .insertInto('interactions')
        .values({
          id: interaction.id,
          binding_hash: interaction.bindingHash,
          csrf_token: interaction.csrfToken,
          request: JSON.stringify(interaction.request),
          session_id: interaction.sessionId ?? null,
          account_confirmed: interaction.accountConfirmed ? 1 : 0,
          login_requested: interaction.loginRequested ? 1 : 0,
          created_at: interaction.createdAt,
          expires_at: interaction.expiresAt,
          consumed_at: null,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromRow(row);
    },
    async update(id, progress) {
      const changes: Partial<InteractionsTable> = {};
      if (progress.sessionId !== undefined) changes.session_id = progress.sessionId;
      if (progress.accountConfirmed !== undefined) changes.account_confirmed = progress.accountConfirmed ? 1 : 0;
      if (progress.loginRequested !== undefined) changes.login_requested = progress.loginRequested ? 1 : 0;
      if (Object.keys(changes).length === 0) return true;
      const result = await db.updateTable('interactions').set(changes).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    async consume(id, at) {
      const result = await db.updateTable('interactions').set({ consumed_at: at }).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    async deleteExpired(now, limit) {
      const result = await db
        .deleteFrom('interactions')
        .where('id', 'in', (qb) => qb.selectFrom('interactions').select('id').where('expires_at', '<', now).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
