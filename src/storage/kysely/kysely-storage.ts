// Assembles the Storage ports over one Kysely instance (the same code serves SQLite and PostgreSQL).
import { sql, type Kysely } from 'kysely';
import type { ClientCache } from '../client-cache.js';
import type { Dialect, Storage } from '../storage.js';
import { kyselyAuditLog } from './audit-log.js';
import { kyselyAccessTokens } from './access-tokens.js';
import { kyselyAuthorizationCodes } from './authorization-codes.js';
import { kyselyClients } from './clients.js';
import { kyselyBackchannelLogouts } from './backchannel-logouts.js';
import { kyselyDeviceCodes } from './device-codes.js';
import { kyselyGrants } from './grants.js';
import { kyselyRefreshTokens } from './refresh-tokens.js';
import { kyselyInitialAccessTokens } from './initial-access-tokens.js';
import { kyselyRateLimits } from './rate-limits.js';
import { kyselyConsents } from './consents.js';
import { kyselyInteractions } from './interactions.js';
import { kyselyLoginThrottle } from './login-throttle.js';
import { kyselyPushedAuthorizationRequests } from './pushed-authorization-requests.js';
import { kyselySessions } from './sessions.js';
import { kyselyUsers } from './users.js';
import { kyselyReplayGuard } from './replay-guard.js';
import type { Database } from './schema.js';
import type { DirectExecutor } from './sqlite-dialect.js';
import { kyselySigningKeys } from './signing-keys.js';

export interface KyselyStorageOptions {
  readonly clientCache?: ClientCache | undefined;
  /** Inside a transaction: the clients it changed, invalidated in the cache once it ends. */
  readonly touchedClients?: Set<string>;
  /** The hot queries' way past Kysely's executor (outside transactions): SQLite's connection, PostgreSQL's pool. */
  readonly direct?: DirectExecutor | undefined;
}

export function createKyselyStorage(db: Kysely<Database>, dialect: Dialect, close: () => Promise<void>, options: KyselyStorageOptions = {}): Storage {
  const { clientCache, touchedClients, direct } = options;
  const storage: Storage = {
    dialect,
    signingKeys: kyselySigningKeys(db, dialect),
    clients: kyselyClients(db, clientCache, touchedClients),
    replay: kyselyReplayGuard(db, dialect, direct),
    grants: kyselyGrants(db),
    accessTokens: kyselyAccessTokens(db, dialect, direct),
    refreshTokens: kyselyRefreshTokens(db),
    initialAccessTokens: kyselyInitialAccessTokens(db),
    rateLimits: kyselyRateLimits(db),
    audit: kyselyAuditLog(db, dialect, direct),
    users: kyselyUsers(db, dialect, direct),
    sessions: kyselySessions(db),
    consents: kyselyConsents(db),
    loginThrottle: kyselyLoginThrottle(db),
    interactions: kyselyInteractions(db),
    authorizationCodes: kyselyAuthorizationCodes(db),
    pushedAuthorizationRequests: kyselyPushedAuthorizationRequests(db),
    backchannelLogouts: kyselyBackchannelLogouts(db),
    deviceCodes: kyselyDeviceCodes(db),
    async transaction(work) {
      if (db.isTransaction) return work(storage);
      const touched = new Set<string>();
      try {
        return await db.transaction().execute((trx) => work(createKyselyStorage(trx, dialect, close, { clientCache, touchedClients: touched })));
      } finally {
        for (const clientId of touched) clientCache?.invalidate(clientId); // a find that ran before the commit saw the old row
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close,
  };
  return storage;
}
