// `bench --seed SIZE`: bulk-loads clients, users, live access tokens, and per user a grant, a refresh token and a
// remembered consent, so the scenarios run against a full database (issue 10 §3). Rows are generated inside the
// database (a recursive CTE in SQLite, generate_series in PostgreSQL): no per-row round trip. SQLite loads without
// fsync, with an exclusive lock and a 1 GiB page cache (the random token hashes make the primary-key index the
// cost: it must stay in memory).
import Database from 'better-sqlite3';
import pg from 'pg';

export const SEED_SIZES = {
  small: { clients: 1_000, users: 10_000, tokens: 100_000 },
  medium: { clients: 10_000, users: 100_000, tokens: 1_000_000 },
  full: { clients: 100_000, users: 1_000_000, tokens: 10_000_000 },
} as const;

export interface SeedOptions {
  readonly size: string;
  readonly databaseUrl: string;
  readonly log: (line: string) => void;
}

const BATCH = 500_000; // rows per statement: keeps each transaction's memory bounded

/** In load order: grants reference clients, refresh tokens reference grants. One grant, refresh token and consent per user. */
const TABLES = ['clients', 'users', 'access_tokens', 'grants', 'refresh_tokens', 'consents'] as const;
type Table = (typeof TABLES)[number];

export async function seedDatabase({ size, databaseUrl, log }: SeedOptions): Promise<Record<string, unknown>> {
  const counts = (SEED_SIZES as Record<string, (typeof SEED_SIZES)[keyof typeof SEED_SIZES]>)[size];
  if (counts === undefined) throw new Error(`--seed must be one of ${Object.keys(SEED_SIZES).join(', ')}`);
  const started = performance.now();
  const timings: Record<string, number> = {};
  const run = databaseUrl.startsWith('sqlite:') ? sqliteRunner(databaseUrl.slice('sqlite:'.length)) : await postgresRunner(databaseUrl);
  try {
    // A real client row as the template: the seeded clients are valid, only their ids differ.
    const totals: Record<Table, number> = { clients: counts.clients, users: counts.users, access_tokens: counts.tokens, grants: counts.users, refresh_tokens: counts.users, consents: counts.users };
    for (const table of TABLES) {
      const total = totals[table];
      const t = performance.now();
      for (let from = 0; from < total; from += BATCH) await run.insert(table, from, Math.min(total, from + BATCH));
      timings[table] = Math.round(performance.now() - t);
      log(`${total} ${table} in ${(timings[table] / 1000).toFixed(1)} s (${Math.round(total / (timings[table] / 1000))} rows/s)`);
    }
    const t = performance.now();
    await run.analyze();
    timings.analyze = Math.round(performance.now() - t);
  } finally {
    await run.close();
  }
  return { size, counts, millis: timings, totalSeconds: Math.round(performance.now() - started) / 1000 };
}

interface Runner {
  insert(table: Table, from: number, to: number): Promise<void>;
  analyze(): Promise<void>;
  close(): Promise<void>;
}

/** Grants and consents spread over the first this many seeded clients (every size seeds at least this many). */
const SEED_CLIENTS = 1000;
const NOW = Date.now();
const LATER = NOW + 86_400_000; // live tokens: not yet collectable

function sqliteRunner(path: string): Runner {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  // A throwaway bench database, loaded while no server runs: no fsync, one lock, the index in memory. (It stays in
  // WAL: journal_mode = OFF is refused by better-sqlite3's defensive mode.)
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -1048576');
  db.pragma('temp_store = MEMORY');
  const seq = 'with recursive seq(n) as (select ? union all select n + 1 from seq where n < ?)';
  const statements = {
    clients: db.prepare(`${seq} insert into clients (client_id, metadata, policy, secret_hash, previous_secret_hash, previous_secret_expires_at, sealed_secret, previous_sealed_secret, registration_access_token_hash, created_at, updated_at)
      select 'seed-client-' || n, t.metadata, t.policy, lower(hex(randomblob(32))), null, null, null, null, null, ${NOW}, ${NOW} from seq, (select metadata, policy from clients order by created_at limit 1) t`),
    users: db.prepare(`${seq} insert into users (sub, username, email, email_normalized, email_verified, profile, password_hash, disabled, created_at, updated_at)
      select lower(hex(randomblob(16))), 'seed-user-' || n, 'seed-user-' || n || '@example.com', 'seed-user-' || n || '@example.com', 1, '{}', null, 0, ${NOW}, ${NOW} from seq`),
    access_tokens: db.prepare(`${seq} insert into access_tokens (id, format, client_id, grant_id, subject, scope, audience, dpop_jkt, issued_at, expires_at, revoked_at)
      select lower(hex(randomblob(32))), 'opaque', (select client_id from clients order by created_at limit 1), null, null, '', '[]', null, ${NOW}, ${LATER}, null from seq`),
    grants: db.prepare(`${seq} insert into grants (id, client_id, subject, scope, resources, session_id, auth_time, acr, amr, created_at, expires_at, last_used_at, revoked_at)
      select 'seed-grant-' || n, 'seed-client-' || (1 + n % ${SEED_CLIENTS}), 'seed-user-' || n, 'openid offline_access', '[]', null, ${NOW}, null, null, ${NOW}, ${LATER}, null, null from seq`),
    refresh_tokens: db.prepare(`${seq} insert into refresh_tokens (hash, grant_id, client_id, subject, scope, dpop_jkt, issued_at, expires_at, absolute_expires_at, rotated_at, successor_hash, revoked_at)
      select lower(hex(randomblob(32))), 'seed-grant-' || n, 'seed-client-' || (1 + n % ${SEED_CLIENTS}), 'seed-user-' || n, 'openid offline_access', null, ${NOW}, ${LATER}, ${LATER}, null, null, null from seq`),
    consents: db.prepare(`${seq} insert into consents (subject, client_id, scope, updated_at)
      select 'seed-user-' || n, 'seed-client-' || (1 + n % ${SEED_CLIENTS}), 'openid offline_access', ${NOW} from seq`),
  };
  return {
    async insert(table, from, to) {
      db.transaction(() => statements[table].run(from + 1, to))();
    },
    async analyze() {
      db.exec('analyze');
      db.pragma('locking_mode = NORMAL');
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close() {
      db.close();
    },
  };
}

async function postgresRunner(url: string): Promise<Runner> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('set synchronous_commit = off');
  const sqlFor = {
    clients: `insert into clients (client_id, metadata, policy, secret_hash, created_at, updated_at)
      select 'seed-client-' || n, t.metadata, t.policy, md5(random()::text) || md5(random()::text), ${NOW}, ${NOW}
      from generate_series($1::int, $2::int) n, (select metadata, policy from clients order by created_at limit 1) t`,
    users: `insert into users (sub, username, email, email_normalized, email_verified, profile, password_hash, disabled, created_at, updated_at)
      select md5(random()::text), 'seed-user-' || n, 'seed-user-' || n || '@example.com', 'seed-user-' || n || '@example.com', 1, '{}', null, 0, ${NOW}, ${NOW}
      from generate_series($1::int, $2::int) n`,
    access_tokens: `insert into access_tokens (id, format, client_id, scope, audience, issued_at, expires_at)
      select md5(random()::text) || md5(random()::text), 'opaque', (select client_id from clients order by created_at limit 1), '', '[]', ${NOW}, ${LATER}
      from generate_series($1::int, $2::int) n`,
    grants: `insert into grants (id, client_id, subject, scope, resources, auth_time, created_at, expires_at)
      select 'seed-grant-' || n, 'seed-client-' || (1 + n % ${SEED_CLIENTS}), 'seed-user-' || n, 'openid offline_access', '[]', ${NOW}, ${NOW}, ${LATER}
      from generate_series($1::int, $2::int) n`,
    refresh_tokens: `insert into refresh_tokens (hash, grant_id, client_id, subject, scope, issued_at, expires_at, absolute_expires_at)
      select md5(random()::text) || md5(random()::text), 'seed-grant-' || n, 'seed-client-' || (1 + n % ${SEED_CLIENTS}), 'seed-user-' || n, 'openid offline_access', ${NOW}, ${LATER}, ${LATER}
      from generate_series($1::int, $2::int) n`,
    consents: `insert into consents (subject, client_id, scope, updated_at)
      select 'seed-user-' || n, 'seed-client-' || (1 + n % ${SEED_CLIENTS}), 'openid offline_access', ${NOW}
      from generate_series($1::int, $2::int) n`,
  };
  return {
    async insert(table, from, to) {
      await client.query(sqlFor[table], [from + 1, to]);
    },
    async analyze() {
      await client.query('analyze');
    },
    async close() {
      await client.end();
    },
  };
}
