// The back-channel logout queue on Kysely (OIDC Back-Channel Logout 1.0 §2.7). A row is claimed with one conditional
// UPDATE whose row count says who won, so many processes sharing the database never send one notification twice at once.
import type { Kysely, Selectable } from 'kysely';
import type { BackchannelLogoutRecord } from '../records/backchannel-logout.js';
import type { BackchannelLogouts } from '../storage.js';
import type { BackchannelLogoutsTable, Database } from './schema.js';

const fromRow = (row: Selectable<BackchannelLogoutsTable>): BackchannelLogoutRecord => ({
  id: row.id,
  clientId: row.client_id,
  ...(row.subject !== null && { subject: row.subject }),
  ...(row.session_id !== null && { sessionId: row.session_id }),
  createdAt: Number(row.created_at),
  attempts: Number(row.attempts),
  nextAttemptAt: Number(row.next_attempt_at),
});

export function kyselyBackchannelLogouts(db: Kysely<Database>): BackchannelLogouts {
  return {
    async enqueue(notifications) {
      if (notifications.length === 0) return;
      await db
        .insertInto('backchannel_logouts')
        .values(
          notifications.map((n) => ({
            id: n.id,
            client_id: n.clientId,
            subject: n.subject ?? null,
            session_id: n.sessionId ?? null,
            created_at: n.createdAt,
            attempts: n.attempts,
            next_attempt_at: n.nextAttemptAt,
            claimed_until: 0,
            delivered_at: null,
            failed_at: null,
            last_error: null,
          })),
        )
        .execute();
    },

    async claimDue(now, claimUntil, limit) {
      const candidates = await db
        .selectFrom('backchannel_logouts')
        .selectAll()
        .where('next_attempt_at', '<=', now)
        .where('claimed_until', '<', now)
        .where('delivered_at', 'is', null)
        .where('failed_at', 'is', null)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      const claimed: BackchannelLogoutRecord[] = [];
      for (const row of candidates) {
        const result = await db
          .updateTable('backchannel_logouts')
          .set({ claimed_until: claimUntil })
          .where('id', '=', row.id)
          .where('claimed_until', '<', now)
          .where('delivered_at', 'is', null)
          .where('failed_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) claimed.push(fromRow(row));
      }
      return claimed;
    },

    async markDelivered(id, at) {
      await db.updateTable('backchannel_logouts').set({ delivered_at: at, claimed_until: 0, last_error: null }).where('id', '=', id).execute();
    },

    async recordFailure(id, at, attempts, error, nextAttemptAt) {
      await db
        .updateTable('backchannel_logouts')
        .set({
          attempts,
          last_error: error.slice(0, 255),
          claimed_until: 0,
          ...(nextAttemptAt === undefined ? { failed_at: at } : { next_attempt_at: nextAttemptAt }),
        })
        .where('id', '=', id)
        .execute();
    },

    async pending() {
      const rows = await db
        .selectFrom('backchannel_logouts')
        .selectAll()
        .where('delivered_at', 'is', null)
        .where('failed_at', 'is', null)
        .orderBy('created_at')
        .limit(1000)
        .execute();
      return rows.map(fromRow);
    },

    async deleteFinished(before, limit) {
      const result = await db
        .deleteFrom('backchannel_logouts')
        .where('id', 'in', (qb) =>
          qb
            .selectFrom('backchannel_logouts')
            .select('id')
            .where((eb) => eb.or([eb('delivered_at', '<', before), eb('failed_at', '<', before)]))
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
