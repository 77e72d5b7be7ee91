// Migration 8: the durable queue of back-channel logout notifications (OIDC Back-Channel Logout 1.0 §2.7) and the
// index that finds a session's participants (the grants it gave).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('backchannel_logouts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('subject', 'varchar(64)')
    .addColumn('session_id', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('last_error', 'varchar(255)')
    .execute();
  await db.schema.createIndex('backchannel_logouts_next_attempt_at').on('backchannel_logouts').column('next_attempt_at').execute();
  await db.schema.createIndex('grants_session_id').on('grants').column('session_id').execute();
}
