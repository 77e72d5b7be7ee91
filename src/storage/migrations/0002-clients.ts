// Migration 2: registered clients (RFC 7591). Metadata and policy are JSON documents; secrets only as hashes.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(64)')
    .addColumn('previous_secret_hash', 'varchar(64)')
    .addColumn('previous_secret_expires_at', 'bigint')
    .addColumn('sealed_secret', 'text')
    .addColumn('registration_access_token_hash', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
