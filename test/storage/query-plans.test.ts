// Issue #10 §3: every hot query uses an index, on SQLite (EXPLAIN QUERY PLAN) and on PostgreSQL (EXPLAIN with
// enable_seqscan off, so a sequential scan shows only when no index can serve the query). The SQL is not copied:
// each hot path runs through the real storage adapter and the statements Kysely executes are captured and explained,
// so a change to a query (or to the migrations) is checked as it stands.
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirySweepers } from '../../src/protocol/maintenance/sweepers.js';
import { createKyselyStorage } from '../../src/storage/kysely/kysely-storage.js';
import type { Database } from '../../src/storage/kysely/schema.js';
import { SerialSqliteDialect } from '../../src/storage/kysely/sqlite-dialect.js';
import { migrateToLatest } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';

// On a seeded database, the real time: a far-future `now` would make every row expired and a full scan the right plan.
const NOW = process.env.LATCHKEY_QUERY_PLANS_DB === undefined ? 1_800_000_000_000 : Date.now();
const WINDOW_MS = 60_000;

/** The hot paths, each as the storage calls the protocol makes on it. */
const HOT_PATHS: readonly { readonly name: string; run(storage: Storage): Promise<unknown> }[] = [
  { name: 'client lookup by id (every client authentication)', run: (s) => s.clients.find('client-1') },
  { name: 'access token by hash (introspection, userinfo)', run: (s) => s.accessTokens.find('token-hash') },
  { name: 'access token revocation by hash', run: (s) => s.accessTokens.revoke('token-hash', NOW) },
  { name: 'refresh token by hash', run: (s) => s.refreshTokens.find('refresh-hash') },
  {
    name: 'refresh token rotation',
    run: (s) =>
      s.transaction((tx) =>
        tx.refreshTokens.rotate('refresh-hash', { hash: 'next-hash', grantId: 'grant-1', clientId: 'client-1', scope: ['openid'], issuedAt: NOW, expiresAt: NOW + 1, absoluteExpiresAt: NOW + 2 }),
      ),
  },
  { name: 'grant touch on issuance', run: (s) => s.grants.touch('grant-1', NOW, NOW + 1) },
  { name: 'grant lookup', run: (s) => s.grants.find('grant-1') },
  { name: 'authorization code by hash and redemption', run: async (s) => [await s.authorizationCodes.find('code-hash'), await s.authorizationCodes.consume('code-hash', NOW)] },
  { name: 'grant (family) revocation cascade', run: (s) => s.grants.revoke('grant-1', NOW) },
  { name: 'grants of a user (connected apps) and of a session (logout)', run: async (s) => [await s.grants.listBySubject('user-1'), await s.grants.clientIdsBySession('session-1')] },
  { name: 'session lookup by cookie secret and id, touch', run: async (s) => [await s.sessions.findBySecretHash('secret-hash'), await s.sessions.find('session-1'), await s.sessions.touch('session-1', NOW)] },
  { name: 'sessions of a user', run: (s) => s.sessions.listBySubject('user-1') },
  { name: 'consent lookup', run: (s) => s.consents.find('user-1', 'client-1') },
  { name: 'rate-limit counter upsert', run: (s) => s.rateLimits.hit('token:ip:127.0.0.1', NOW - (NOW % WINDOW_MS), WINDOW_MS) },
  { name: 'login throttle and user lookup', run: async (s) => [await s.loginThrottle.find(['ip:127.0.0.1', 'account:alice']), await s.users.findByUsername('alice'), await s.users.findByEmail('alice@example.com'), await s.users.find('user-1')] },
  { name: 'interaction lookup and completion', run: async (s) => [await s.interactions.find('interaction-1'), await s.interactions.consume('interaction-1', NOW)] },
  { name: 'client assertion jti replay check', run: (s) => s.replay.use('jti:client-1:abc', NOW + 60_000) },
  {
    name: 'device code lookups (polling, user code entry, redemption)',
    run: async (s) => [await s.deviceCodes.findByDeviceCode('device-hash'), await s.deviceCodes.findByUserCode('user-code-hash'), await s.deviceCodes.poll('device-hash', NOW, 5), await s.deviceCodes.consume('device-hash', NOW)],
  },
  { name: 'pushed authorization request redemption', run: (s) => s.pushedAuthorizationRequests.consume('par-hash', NOW) },
  {
    name: 'gc sweeps by expiry (every sweeper latchkey gc runs), expired sessions, rate-limit counters',
    run: async (s) => {
      for (const sweeper of expirySweepers(s)) await sweeper.sweep(NOW, 1000);
      await s.sessions.listExpired(NOW, NOW - 1, 1000);
      await s.rateLimits.deleteExpired(NOW, 1000);
    },
  },
  { name: 'back-channel logout queue', run: (s) => s.backchannelLogouts.claimDue(NOW, NOW + 1, 10) },
  {
    name: 'audit listing with filters (latchkey audit)',
    run: async (s) => [
      await s.audit.list({}),
      await s.audit.list({ type: 'login.failed' }),
      await s.audit.list({ clientId: 'client-1' }),
      await s.audit.list({ since: NOW - 86_400_000 }),
      await s.audit.list({ type: 'login.failed', clientId: 'client-1', since: NOW - 86_400_000 }),
    ],
  },
];

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release|set |select 1\b)/i;

/** Runs each hot path against `storage` built over `db`, capturing the statements Kysely executes for it. */
async function captureHotQueries(open: (log: (query: CompiledQuery) => void) => Promise<Storage>): Promise<Map<string, CompiledQuery[]>> {
  let current: CompiledQuery[] = [];
  const storage = await open((query) => {
    if (!TRANSACTION_CONTROL.test(query.sql)) current.push(query);
  });
  const byPath = new Map<string, CompiledQuery[]>();
  for (const path of HOT_PATHS) {
    current = [];
    await path.run(storage);
    byPath.set(path.name, current);
  }
  return byPath;
}

const logger = (log: (query: CompiledQuery) => void) => (event: { level: string; query: CompiledQuery }) => {
  if (event.level === 'query') log(event.query);
};

describe('Issue #10 §3: hot queries use an index on SQLite (EXPLAIN QUERY PLAN)', () => {
  // LATCHKEY_QUERY_PLANS_DB=path checks the plans on that database instead, e.g. one `bench --seed full` filled, whose
  // statistics (ANALYZE) make the planner choose as it would in production.
  const database = new SQLite(process.env.LATCHKEY_QUERY_PLANS_DB ?? ':memory:');
  database.pragma('foreign_keys = ON'); // as open-storage.ts sets it: cascades show in the plans
  let captured: Map<string, CompiledQuery[]>;
  beforeAll(async () => {
    captured = await captureHotQueries(async (log) => {
      const db = new Kysely<Database>({ dialect: new SerialSqliteDialect(database), log: logger(log) });
      await migrateToLatest(db);
      if (process.env.LATCHKEY_QUERY_PLANS_DB === undefined) database.exec('analyze');
      return createKyselyStorage(db, 'sqlite', async () => db.destroy());
    });
  });
  afterAll(() => database.close());

  for (const path of HOT_PATHS) {
    it(path.name, () => {
      const queries = captured.get(path.name) ?? [];
      expect(queries.length, 'the path ran at least one statement').toBeGreaterThan(0);
      const fullScans: string[] = [];
      for (const query of queries) {
        const plan = database.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[];
        // "SCAN t" without an index is a full table scan; "SEARCH … USING (COVERING) INDEX" and "SCAN t USING INDEX"
        // (walking an index in order, under a LIMIT) are not.
        const details = plan.map((row) => row.detail);
        if (details.some((detail) => /^SCAN \S+$/.test(detail) && detail !== 'SCAN CONSTANT ROW')) fullScans.push(`${query.sql}\n  ${details.join('\n  ')}`);
      }
      expect(fullScans).toEqual([]);
    });
  }
});

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' ? [node['Relation Name'] ?? '?'] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

describePostgres('Issue #10 §3: hot queries use an index on PostgreSQL (EXPLAIN, enable_seqscan off)', () => {
  let pool: pg.Pool;
  let captured: Map<string, CompiledQuery[]>;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createPostgresDatabase(), max: 2 });
    captured = await captureHotQueries(async (log) => {
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: logger(log) });
      await migrateToLatest(db);
      await pool.query('analyze');
      return createKyselyStorage(db, 'postgres', async () => undefined);
    });
  });
  afterAll(() => pool?.end());

  for (const path of HOT_PATHS) {
    it(path.name, async () => {
      const queries = captured.get(path.name) ?? [];
      expect(queries.length, 'the path ran at least one statement').toBeGreaterThan(0);
      const client = await pool.connect();
      try {
        // Off, a sequential scan costs 1e10: the planner picks one only when no index can answer the query.
        await client.query('set enable_seqscan = off');
        const fullScans: string[] = [];
        for (const query of queries) {
          const result = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.parameters as unknown[]);
          const scanned = seqScans(result.rows[0]?.['QUERY PLAN'][0].Plan as PlanNode);
          if (scanned.length > 0) fullScans.push(`${query.sql}\n  Seq Scan on ${scanned.join(', ')}`);
        }
        expect(fullScans).toEqual([]);
      } finally {
        client.release();
      }
    });
  }
});
