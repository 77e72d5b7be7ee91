// Issue #9 §7: PostgreSQL stopped under load. `latchkey serve` runs on a PostgreSQL cluster of its own (the shared one
// other test files use is left alone), a steady load of token requests runs, the cluster is stopped (immediate, then
// fast shutdown) and started again on the same port and data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open-storage.js';
import { HIGH_RATE_LIMITS, NO_HANG_MS, postForm, request, seedClient, sleep, startLoad, tally, waitUntil, type Outcome, type SeededClient } from '../support/fault-load.js';
import { killLeftoverProcesses, startLatchkeyServer, type LatchkeyServer } from '../support/latchkey-process.js';
import { describePostgres } from '../support/postgres.js';
import { findPostgresBinDir, startPostgres, type RunningPostgres } from '../support/postgres-server.js';

describePostgres('Issue #9 §7: PostgreSQL stopped mid-load', () => {
  let cluster: RunningPostgres;
  let server: LatchkeyServer;
  let client: SeededClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-pg-down-'));

  beforeAll(async () => {
    const binDir = findPostgresBinDir();
    if (binDir === undefined) throw new Error('initdb/pg_ctl not found, yet the shared PostgreSQL started');
    cluster = await startPostgres(binDir); // our own: this test stops it
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE latchkey');
    await admin.end();
    const databaseUrl = cluster.adminUrl.replace(/\/postgres$/, '/latchkey');
    const storage = await openStorage(databaseUrl, { poolSize: 1 });
    client = await seedClient(storage);
    await storage.close();
    server = await startLatchkeyServer({ dataDir, env: () => ({ LATCHKEY_DATABASE_URL: databaseUrl, LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_RATE_LIMITS: HIGH_RATE_LIMITS }) });
  });

  afterAll(async () => {
    await killLeftoverProcesses();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the load for `ms`, returning every outcome: token requests on 6 loops; discovery with JWKS, /readyz and introspection on one each. */
  async function load(ms: number): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let lastToken: string | undefined;
    const running = startLoad(9, async (worker) => {
      let outcome: Outcome;
      if (worker < 6) {
        outcome = await postForm('token', `${server.url}/token`, client, { grant_type: 'client_credentials', scope: 'read' });
        if (outcome.status === 200) lastToken = String(outcome.body?.access_token);
      } else if (worker === 6) {
        outcomes.push(await request('jwks', `${server.url}/jwks`));
        outcome = await request('discovery', `${server.url}/.well-known/openid-configuration`);
      }
      else if (worker === 7) outcome = await request('readyz', `${server.url}/readyz`);
      else {
        outcome = await postForm('introspect', `${server.url}/introspect`, client, { token: lastToken ?? 'none' });
      }
      outcomes.push(outcome);
      if (worker >= 6) await sleep(20); // a steady trickle, not a flood, on the side endpoints
    });
    await sleep(ms);
    await running.stop();
    return outcomes;
  }

  /** What must hold for every answer whatever the database does: no 5xx other than a 503 that says so, and always an answer. */
  function expectNoFailureOtherThan503(outcomes: readonly Outcome[]): void {
    expect(server.process.hasExited ? `the server exited: ${server.process.stderr.slice(0, 2000)}` : 'running').toBe('running');
    const bad = outcomes.filter((o) => o.error !== undefined || (o.status !== undefined && o.status >= 500 && !(o.status === 503 && (o.label === 'readyz' || o.body?.error === 'temporarily_unavailable'))));
    expect(bad.map((o) => `${o.label} ${o.status ?? o.error} ${o.text ?? ''}`.slice(0, 300))).toEqual([]);
    for (const o of outcomes) expect(o.ms).toBeLessThan(NO_HANG_MS);
  }

  for (const mode of ['immediate', 'fast'] as const) {
    it(`Issue #9 §7: \`pg_ctl stop -m ${mode}\` under load: quick 503 temporarily_unavailable with Retry-After, discovery and JWKS from memory, /readyz 503; recovers by itself when PostgreSQL is back`, async () => {
      const before = await load(800);
      expect(tally(before)).toEqual(expect.objectContaining({ 'token 200': expect.any(Number) }));
      expect(tally(before.filter((o) => o.status !== 200))).toEqual({});

      // Stopped while the load runs: whatever was in flight gets an answer too.
      const during = load(2500);
      await sleep(300);
      const stoppedAt = Date.now();
      await cluster.halt(mode);
      const haltedAt = Date.now();
      const outcomes = await during;
      expectNoFailureOtherThan503(outcomes);
      // In flight while it stopped: succeeded, or refused as unavailable; never a wrong answer such as invalid_client.
      const protocol = outcomes.filter((o) => o.label === 'token' || o.label === 'introspect');
      expect(tally(protocol.filter((o) => o.status !== 200 && o.body?.error !== 'temporarily_unavailable'))).toEqual({});
      const whileDown = outcomes.filter((o) => o.startedAt >= haltedAt);
      const tokens = whileDown.filter((o) => o.label === 'token');
      expect(tokens.length).toBeGreaterThan(0);
      for (const o of tokens) {
        expect([o.status, o.body?.error]).toEqual([503, 'temporarily_unavailable']);
        expect(o.retryAfter).toMatch(/^\d+$/);
      }
      for (const o of whileDown.filter((x) => x.label === 'introspect')) expect([o.status, o.body?.error]).toEqual([503, 'temporarily_unavailable']);
      for (const o of whileDown.filter((x) => x.label === 'readyz')) expect([o.status, o.body?.checks]).toEqual([503, { database: 'failing', signingKeys: 'ok' }]);
      const fromMemory = outcomes.filter((o) => (o.label === 'discovery' || o.label === 'jwks') && o.startedAt >= stoppedAt);
      expect(fromMemory.length).toBeGreaterThan(0);
      expect(tally(fromMemory.filter((o) => o.status !== 200))).toEqual({});
      expect(server.process.hasExited).toBe(false);

      // Back on the same port and data: the same process answers 200 again, without a restart.
      await cluster.resume();
      await waitUntil('token requests to succeed again', async () => (await postForm('token', `${server.url}/token`, client, { grant_type: 'client_credentials' })).status === 200);
      const after = await load(800);
      expect(tally(after.filter((o) => o.status !== 200))).toEqual({});
      expect(server.process.hasExited).toBe(false);
      // Nothing was an unexpected failure (500) in the log, and the process never crashed.
      expect(server.process.logs().filter((line) => line.msg === 'unexpected failure')).toEqual([]);
      expect(server.process.stderr).toBe('');
    });
  }
});
