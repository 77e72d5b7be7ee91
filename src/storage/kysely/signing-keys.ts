// SigningKeys on Kysely: the keys table is tiny (a few rows per algorithm), so list() reads it whole.
import { sql, type Kysely } from 'kysely';
import type { SigningAlg } from '../../config/config.js';
import type { Dialect, SigningKeyRecord, SigningKeys } from '../storage.js';
import type { Database } from './schema.js';

/** The PostgreSQL advisory lock key of the signing key list (any constant bigint no other code uses). */
const KEY_LIST_LOCK = 0x4c4b_6b65_7973n; // "LKkeys"

export function kyselySigningKeys(db: Kysely<Database>, dialect: Dialect): SigningKeys {
  const keys: SigningKeys = {
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('activates_at').orderBy('created_at').execute();
      return rows.map(
        (row): SigningKeyRecord => ({
          kid: row.kid,
          alg: row.alg as SigningAlg,
          publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
          sealedPrivateKey: row.sealed_private_key,
          createdAt: Number(row.created_at),
          activatesAt: Number(row.activates_at),
        }),
      );
    },
    async add(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: JSON.stringify(key.publicJwk),
          sealed_private_key: key.sealedPrivateKey,
          created_at: key.createdAt,
          activates_at: key.activatesAt,
        })
        .execute();
    },
    async remove(kids) {
      if (kids.length === 0) return;
      await db.deleteFrom('signing_keys').where('kid', 'in', kids).execute();
    },
    async exclusively(work) {
      const locked = async (trx: Kysely<Database>) => {
        // PostgreSQL: an advisory lock held to the end of the transaction. SQLite: the transaction itself, as it
        // begins IMMEDIATE (the database's write lock).
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(KEY_LIST_LOCK.toString())}::bigint)`.execute(trx);
        return work(trx === db ? keys : kyselySigningKeys(trx, dialect));
      };
      return db.isTransaction ? locked(db) : db.transaction().execute(locked);
    },
  };
  return keys;
}
