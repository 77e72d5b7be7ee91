// Migration 3: dynamic client registration (RFC 7591 §3 initial access tokens, stored hashed) and the sealed
// previous secret a client_secret_jwt client needs during a rotation grace period.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('initial_access_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('initial_access_tokens_expires_at').on('initial_access_tokens').column('expires_at').execute();

  await db.schema.alterTable('clients').addColumn('previous_sealed_secret', 'text').execute();
}
