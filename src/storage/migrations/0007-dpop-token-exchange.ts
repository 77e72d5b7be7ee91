// Migration 7 (issue 6, DPoP and token exchange): the RFC 8693 §4.1 `act` claim of an exchanged access token, kept so
// that introspection returns it for opaque tokens too and a further exchange can nest it. DPoP itself needs no table:
// bindings already have their dpop_jkt columns (migration 4) and proof jtis go to replay_records.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_tokens').addColumn('act', 'text').execute();
}
