// Migration 11: the indexes test/storage/query-plans.test.ts found missing (issue 10 §3), each for a clean-up path
// that otherwise read a whole table: finished back-channel logout notifications (partial: only finished rows),
// idle sessions, and the device codes a deleted grant cascades to (SQLite checks the foreign key per deleted row).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('backchannel_logouts_delivered_at').on('backchannel_logouts').column('delivered_at').where(sql.ref('delivered_at'), 'is not', null).execute();
  await db.schema.createIndex('backchannel_logouts_failed_at').on('backchannel_logouts').column('failed_at').where(sql.ref('failed_at'), 'is not', null).execute();
  await db.schema.createIndex('sessions_last_seen_at').on('sessions').column('last_seen_at').execute();
  await db.schema.createIndex('device_codes_grant_id').on('device_codes').column('grant_id').where(sql.ref('grant_id'), 'is not', null).execute();
}
