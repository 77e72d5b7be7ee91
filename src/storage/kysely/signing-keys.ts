// SigningKeys on Kysely: the keys table is tiny (a few rows per algorithm), so list() reads it whole.
import type { Kysely } from 'kysely';
import type { SigningAlg } from '../../config/config.js';
import type { SigningKeyRecord, SigningKeys } from '../storage.js';
import type { Database } from './schema.js';

export function kyselySigningKeys(db: Kysely<Database>): SigningKeys {
  return {
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
  };
}
