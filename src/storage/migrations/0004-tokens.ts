// Migration 4: grants, access tokens and refresh tokens (RFC 6749 §1.3-§1.5, RFC 7009, RFC 7662). Tokens only by hash
// or jti. Foreign keys cascade, so deleting a client or a grant deletes what was issued under it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('grants')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('subject', 'varchar(255)')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('session_id', 'varchar(128)')
    .addColumn('auth_time', 'bigint')
    .addColumn('acr', 'varchar(255)')
    .addColumn('amr', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('grants_client_id').on('grants').column('client_id').execute();
  await db.schema.createIndex('grants_subject').on('grants').column('subject').where(sql.ref('subject'), 'is not', null).execute();
  await db.schema.createIndex('grants_expires_at').on('grants').column('expires_at').execute();
  await db.schema.createIndex('grants_revoked_at').on('grants').column('revoked_at').where(sql.ref('revoked_at'), 'is not', null).execute();

  await db.schema
    .createTable('access_tokens')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('format', 'varchar(8)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('grant_id', 'varchar(64)', (c) => c.references('grants.id').onDelete('cascade'))
    .addColumn('subject', 'varchar(255)')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('dpop_jkt', 'varchar(64)')
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('access_tokens_expires_at').on('access_tokens').column('expires_at').execute();
  await db.schema.createIndex('access_tokens_client_id').on('access_tokens').column('client_id').execute();
  // client_credentials tokens have no grant: keep them out of the grant index.
  await db.schema.createIndex('access_tokens_grant_id').on('access_tokens').column('grant_id').where(sql.ref('grant_id'), 'is not', null).execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('grant_id', 'varchar(64)', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('dpop_jkt', 'varchar(64)')
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint')
    .addColumn('successor_hash', 'varchar(64)')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('refresh_tokens_grant_id').on('refresh_tokens').column('grant_id').execute();
  await db.schema.createIndex('refresh_tokens_expires_at').on('refresh_tokens').column('expires_at').execute();
}
