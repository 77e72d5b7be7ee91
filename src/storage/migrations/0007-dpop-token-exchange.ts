// Migration 7 (issue 6, DPoP and token exchange): the RFC 8693 §4.1 `act` claim of an exchanged access token, kept so
// that introspection returns it for opaque tokens too and a further exchange can nest it; and the DPoP key an
// authorization code is bound to (RFC 9449 §10). Token bindings already have their dpop_jkt columns (migration 4) and
// proof jtis go to replay_records.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_tokens').addColumn('act', 'text').execute();
  await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'varchar(64)').execute();
}
