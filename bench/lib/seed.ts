// `bench --seed SIZE`: bulk-loads clients, users and live access tokens so the scenarios run against a full
// database (issue 10 §3). Rows are generated inside the database (a recursive CTE in SQLite, generate_series in
// PostgreSQL): no per-row round trip, so the full size is bounded by the database's insert and index speed.
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

const BATCH = 100_000; // rows per statement: keeps each transaction's WAL and memory bounded

export async function seedDatabase({ size, databaseUrl, log }: SeedOptions): Promise<Record<string, unknown>> {
  const counts = (SEED_SIZES as Record<string, (typeof SEED_SIZES)[keyof typeof SEED_SIZES]>)[size];
  if (counts === undefined) throw new Error(`--seed must be one of ${Object.keys(SEED_SIZES).join(', ')}`);
  const started = performance.now();
  const timings: Record<string, number> = {};
  const run = databaseUrl.startsWith('sqlite:') ? sqliteRunner(databaseUrl.slice('sqlite:'.length)) : await postgresRunner(databaseUrl);
  try {
    // A real client row as the template: the seeded clients are valid, only their ids differ.
    for (const [table, total] of [['clients', counts.clients], ['users', counts.users], ['access_tokens', counts.tokens]] as const) {
      const t = performance.now();
      for (let from = 0; from < total; from += BATCH) await run.insert(table, from, Math.min(total, from + BATCH));
      timings[table] = Math.round(performance.now() - t);
      log(`${total} ${table} in ${(timings[table] / 1000).toFixed(1)} s (${Math.round(total / (timings[table] / 1000))} rows/s)`);
    }
    await run.analyze();
  } finally {
    await run.close();
  }
  return { size, counts, millis: timings, totalSeconds: Math.round(performance.now() - started) / 1000 };
}

interface Runner {
  insert(table: 'clients' | 'users' | 'access_tokens', from: number, to: number): Promise<void>;
  analyze(): Promise<void>;
  close(): Promise<void>;
}

const NOW = Date.now();
const LATER = NOW + 86_400_000; // live tokens: not yet collectable

function sqliteRunner(path: string): Runner {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a throwaway bench database
  db.pragma('busy_timeout = 5000');
  const seq = 'with recursive seq(n) as (select ? union all select n + 1 from seq where n < ?)';
  const statements = {
    clients: db.prepare(`${seq} insert into clients (client_id, metadata, policy, secret_hash, previous_secret_hash, previous_secret_expires_at, sealed_secret, previous_sealed_secret, registration_access_token_hash, created_at, updated_at)
      select 'seed-client-' || n, t.metadata, t.policy, lower(hex(randomblob(32))), null, null, null, null, null, ${NOW}, ${NOW} from seq, (select metadata, policy from clients order by created_at limit 1) t`),
    users: db.prepare(`${seq} insert into users (sub, username, email, email_normalized, email_verified, profile, password_hash, disabled, created_at, updated_at)
      select lower(hex(randomblob(16))), 'seed-user-' || n, 'seed-user-' || n || '@example.com', 'seed-user-' || n || '@example.com', 1, '{}', null, 0, ${NOW}, ${NOW} from seq`),
    access_tokens: db.prepare(`${seq} insert into access_tokens (id, format, client_id, grant_id, subject, scope, audience, dpop_jkt, issued_at, expires_at, revoked_at)
      select lower(hex(randomblob(32))), 'opaque', (select client_id from clients order by created_at limit 1), null, null, '', '[]', null, ${NOW}, ${LATER}, null from seq`),
  };
  return {
    async insert(table, from, to) {
      db.transaction(() => statements[table].run(from + 1, to))();
    },
    async analyze() {
      db.exec('analyze');
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
