// Issue #9 §7: `kill -9` of `latchkey serve` during a load of token requests, then a restart on the same data, on a
// SQLite file and on PostgreSQL. Nothing a client was sent is lost (a response only ever follows its commit), and no
// code or refresh token the server acknowledged using works a second time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open-storage.js';
import { HIGH_RATE_LIMITS, postForm, REDIRECT_URI, seedClient, seedCredentials, sleep, startLoad, tally, type Outcome, type SeededClient, type SeededCode } from '../support/fault-load.js';
import { killLeftoverProcesses, startLatchkeyServer, type LatchkeyServer } from '../support/latchkey-process.js';
import { createPostgresDatabase, describePostgres } from '../support/postgres.js';

/** Everything the clients learned from 200 responses, and what they sent that never got an answer. */
interface Ledger {
  readonly accessTokens: string[];
  /** Refresh tokens received whose rotation the client has not been told of: each must still be active. */
  readonly liveRefreshTokens: Set<string>;
  /** Refresh tokens whose rotation was acknowledged with a 200: each must now be refused as reuse. */
  readonly rotated: string[];
  /** Codes whose redemption was acknowledged with a 200: each must now be refused. */
  readonly redeemed: SeededCode[];
  /** Sent when the server died: used or not, the client cannot know, so nothing is claimed for them. */
  readonly unanswered: Set<string>;
  readonly unexpected: Outcome[];
}

async function killDuringLoad(databaseUrl: string | undefined, dataDir: string): Promise<{ ledger: Ledger; restarted: LatchkeyServer; client: SeededClient }> {
  const storage = await openStorage(databaseUrl ?? `sqlite:${join(dataDir, 'latchkey.db')}`, { poolSize: 2 });
  const client = await seedClient(storage);
  const seeded = await seedCredentials(storage, client, 120);
  await storage.close();

  const env = () => ({ ...(databaseUrl !== undefined && { LATCHKEY_DATABASE_URL: databaseUrl }), LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_RATE_LIMITS: HIGH_RATE_LIMITS });
  const server = await startLatchkeyServer({ dataDir, env });
  const token = `${server.url}/token`;
  const ledger: Ledger = { accessTokens: [], liveRefreshTokens: new Set(), rotated: [], redeemed: [], unanswered: new Set(), unexpected: [] };
  const refreshable = [...seeded.refreshTokens]; // the client's refresh tokens not yet presented
  const codes = [...seeded.codes];
  let killed = false;
  let answered = 0;
  const received = (outcome: Outcome): void => {
    ledger.accessTokens.push(String(outcome.body?.access_token));
    const refreshToken = outcome.body?.refresh_token;
    if (typeof refreshToken === 'string') {
      ledger.liveRefreshTokens.add(refreshToken);
      refreshable.push(refreshToken);
    }
    answered++;
  };
  const settle = (outcome: Outcome, presented: string): boolean => {
    if (outcome.status === 200) return true;
    if (outcome.error !== undefined && killed) ledger.unanswered.add(presented);
    else ledger.unexpected.push(outcome);
    return false;
  };

  const load = startLoad(8, async (worker) => {
    if (killed) return sleep(5);
    const kind = worker % 3;
    const refreshToken = kind === 1 ? refreshable.shift() : undefined;
    const code = kind === 2 ? codes.shift() : undefined;
    if (refreshToken !== undefined) {
      ledger.liveRefreshTokens.delete(refreshToken); // presented: its fate is now the server's answer
      const outcome = await postForm('refresh', token, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
      if (settle(outcome, refreshToken)) {
        ledger.rotated.push(refreshToken);
        received(outcome);
      }
    } else if (code !== undefined) {
      const outcome = await postForm('code', token, client, { grant_type: 'authorization_code', code: code.code, redirect_uri: REDIRECT_URI, code_verifier: code.verifier });
      if (settle(outcome, code.code)) {
        ledger.redeemed.push(code);
        received(outcome);
      }
    } else {
      const outcome = await postForm('client_credentials', token, client, { grant_type: 'client_credentials', scope: 'read' });
      if (settle(outcome, 'client_credentials')) received(outcome);
    }
  });
  // SIGKILL at a moment the test does not choose exactly: once a good number of tokens went out, after a random delay.
  const deadline = Date.now() + 20_000;
  while (answered < 150 && Date.now() < deadline) await sleep(10);
  await sleep(Math.floor(Math.random() * 50));
  killed = true;
  server.process.child.kill('SIGKILL');
  expect((await server.process.exited).signal).toBe('SIGKILL');
  await load.stop();

  const restarted = await startLatchkeyServer({ dataDir, env });
  return { ledger, restarted, client };
}

/** Runs `check` over `items`, eight at a time. */
async function eachInParallel<T>(items: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await check(item);
  }));
}

async function expectNothingLostAndNothingTwice(ledger: Ledger, server: LatchkeyServer, client: SeededClient): Promise<void> {
  expect(tally(ledger.unexpected)).toEqual({});
  expect(ledger.accessTokens.length).toBeGreaterThanOrEqual(150);
  expect(ledger.rotated.length).toBeGreaterThan(0);
  expect(ledger.redeemed.length).toBeGreaterThan(0);

  const inactive: string[] = [];
  const introspect = async (kind: string, value: string): Promise<void> => {
    const outcome = await postForm('introspect', `${server.url}/introspect`, client, { token: value });
    if (outcome.status !== 200 || outcome.body?.active !== true) inactive.push(`${kind} ${outcome.status ?? outcome.error} ${outcome.text ?? ''}`);
  };
  await eachInParallel(ledger.accessTokens, (value) => introspect('access token', value));
  await eachInParallel([...ledger.liveRefreshTokens], (value) => introspect('refresh token', value));
  expect(inactive).toEqual([]);

  // Last: a refused reuse revokes the family (RFC 9700 §4.14.2), which would turn tokens checked above inactive.
  const accepted: string[] = [];
  await eachInParallel(ledger.rotated, async (refreshToken) => {
    const outcome = await postForm('refresh again', `${server.url}/token`, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
    if (outcome.status !== 400 || outcome.body?.error !== 'invalid_grant') accepted.push(`refresh token: ${outcome.status} ${outcome.text}`);
  });
  await eachInParallel(ledger.redeemed, async (code) => {
    const outcome = await postForm('code again', `${server.url}/token`, client, { grant_type: 'authorization_code', code: code.code, redirect_uri: REDIRECT_URI, code_verifier: code.verifier });
    if (outcome.status !== 400 || outcome.body?.error !== 'invalid_grant') accepted.push(`code: ${outcome.status} ${outcome.text}`);
  });
  expect(accepted).toEqual([]);
}

const title = (database: string) =>
  `Issue #9 §7: kill -9 during a load of token requests on ${database}, then a restart: every token received introspects active, no rotated refresh token or redeemed code works again`;

describe('Issue #9 §7: kill -9 under load, SQLite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-kill-sqlite-'));
  afterAll(async () => {
    await killLeftoverProcesses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(title('a SQLite file'), async () => {
    const { ledger, restarted, client } = await killDuringLoad(undefined, dataDir);
    await expectNothingLostAndNothingTwice(ledger, restarted, client);
    expect((await restarted.stop()).code).toBe(0);
    const database = new SQLite(join(dataDir, 'latchkey.db'), { readonly: true });
    try {
      expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      database.close();
    }
  });
});

describePostgres('Issue #9 §7: kill -9 under load, PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-kill-pg-')); // the master key file
  afterAll(async () => {
    await killLeftoverProcesses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(title('PostgreSQL'), async () => {
    const { ledger, restarted, client } = await killDuringLoad(await createPostgresDatabase(), dataDir);
    await expectNothingLostAndNothingTwice(ledger, restarted, client);
    expect((await restarted.stop()).code).toBe(0);
  });
});
