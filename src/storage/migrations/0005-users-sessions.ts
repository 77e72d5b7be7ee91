// Migration 5: users (OIDC Core §5.1), login sessions, remembered consent, login throttling, pending interactions,
// authorization codes (RFC 6749 §4.1.2, stored by hash) and pushed authorization requests (RFC 9126).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('sub', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('email', 'varchar(320)')
    .addColumn('email_normalized', 'varchar(320)', (c) => c.unique())
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(255)')
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('subject', 'varchar(64)', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('acr', 'varchar(255)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_subject').on('sessions').column('subject').execute();
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('consents')
    .addColumn('subject', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('consents_pk', ['subject', 'client_id'])
    .execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'varchar(400)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('interactions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('binding_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('session_id', 'varchar(64)')
    .addColumn('account_confirmed', 'integer', (c) => c.notNull())
    .addColumn('login_requested', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema.createIndex('interactions_expires_at').on('interactions').column('expires_at').execute();

  await db.schema
    .createTable('authorization_codes')
    .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('grant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(64)', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('redirect_uri_provided', 'integer', (c) => c.notNull())
    .addColumn('code_challenge', 'varchar(128)')
    .addColumn('nonce', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('acr', 'varchar(255)')
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('session_id', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema.createIndex('authorization_codes_expires_at').on('authorization_codes').column('expires_at').execute();

  await db.schema
    .createTable('pushed_authorization_requests')
    .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema.createIndex('pushed_authorization_requests_expires_at').on('pushed_authorization_requests').column('expires_at').execute();
}
