// Assembles the Storage ports over one Kysely instance (the same code serves SQLite and PostgreSQL).
import { sql, type Kysely } from 'kysely';
import type { Dialect, Storage } from '../storage.js';
import { kyselyAccessTokens } from './access-tokens.js';
import { kyselyClients } from './clients.js';
import { kyselyGrants } from './grants.js';
import { kyselyRefreshTokens } from './refresh-tokens.js';
import { kyselyInitialAccessTokens } from './initial-access-tokens.js';
import { kyselyReplayGuard } from './replay-guard.js';
import type { Database } from './schema.js';
import { kyselySigningKeys } from './signing-keys.js';

export function createKyselyStorage(db: Kysely<Database>, dialect: Dialect, close: () => Promise<void>): Storage {
  const storage: Storage = {
    dialect,
    signingKeys: kyselySigningKeys(db),
    clients: kyselyClients(db),
    replay: kyselyReplayGuard(db),
    grants: kyselyGrants(db),
    accessTokens: kyselyAccessTokens(db),
    refreshTokens: kyselyRefreshTokens(db),
    initialAccessTokens: kyselyInitialAccessTokens(db),
    async transaction(work) {
      if (db.isTransaction) return work(storage);
      return db.transaction().execute((trx) => work(createKyselyStorage(trx, dialect, close)));
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close,
  };
  return storage;
}
