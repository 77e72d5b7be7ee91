// `npm run bench`: Latchkey side by side with a bare node:http server (and node-oidc-provider with --peer), one
// scenario at a time: warm-up, then the same connections and duration against each. Prints a table and writes
// bench/results/<timestamp>.json. A benchmark, not a test: nothing here asserts a timing.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad, type Measurement } from './lib/load.js';
import { formatProfile, summariseProfile } from './lib/profile.js';
import { freePort, HAS_PROC, HAS_TASKSET, pinSelf, runCommand, startProcess, type ServerProcess } from './lib/processes.js';
import { DEFAULT_SCENARIOS, SCENARIOS, SMOKE_SCENARIOS, sendOnce, type ClientCredentials, type Instance, type Prepared, type Side, type TokenKind } from './lib/scenarios.js';
import { seedDatabase } from './lib/seed.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LATCHKEY_MAIN = process.env.LATCHKEY_BENCH_MAIN ?? join(ROOT, 'dist/cli/main.js'); // another build, for A/B runs
const SERVER_CPU = '0';
const CODE_SCOPE = 'openid profile email offline_access';
const LOADER_CPU = '1';

const USAGE = `usage: npm run bench -- [options]
  --duration S        seconds per measured run (default 10)
  --warmup S          seconds of warm-up before each measured run (default 3)
  --connections N     concurrent keep-alive connections (default 50)
  --repeat N          measured runs per target; the median is reported (default 1; the targets use 3)
  --scenarios a,b     scenarios to run (default: all); names: ${SCENARIOS.map((s) => s.name).join(', ')}
  --peer oidc-provider  also run node-oidc-provider 9 (in-memory) on every scenario
  --pg                PostgreSQL instead of SQLite (LATCHKEY_BENCH_DATABASE_URL, or a throwaway server)
  --seed SIZE         fill the database first: small (1k clients/10k users/100k tokens), medium (10x), full (100k/1M/10M)
  --workers N|auto    latchkey serve --workers (more than 1 turns off CPU pinning: the cores are shared)
  --no-pin            do not pin the server and the load generator to separate cores
  --smoke             a ~5 s run that proves the harness works (CI); no numbers worth quoting
  --cpu-prof          run Latchkey under node --cpu-prof; prints the self-time summary per instance at the end
                      (LATCHKEY_BENCH_MAIN=path/to/dist/cli/main.js measures another build, for A/B comparisons)
  --out FILE          where the JSON goes (default bench/results/<timestamp>.json)`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    repeat: { type: 'string', default: '1' },
    scenarios: { type: 'string' },
    peer: { type: 'string' },
    pg: { type: 'boolean', default: false },
    seed: { type: 'string' },
    workers: { type: 'string', default: '1' },
    'no-pin': { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const number = (name: string, raw: string, min: number): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) fail(`--${name} must be a number ≥ ${min}`);
  return value;
};
const smoke = args.smoke;
const duration = smoke ? 1 : number('duration', args.duration, 1);
const warmup = smoke ? 0.5 : number('warmup', args.warmup, 0);
const connections = smoke ? 10 : number('connections', args.connections, 1);
const repeat = smoke ? 1 : number('repeat', args.repeat, 1);
if (args.peer !== undefined && args.peer !== 'oidc-provider') fail('--peer: only oidc-provider is supported');
if (args.workers !== 'auto' && !/^[1-9]\d*$/.test(args.workers)) fail('--workers must be a whole number or auto');
const workers = args.workers === 'auto' ? cpus().length : Number(args.workers);
const pin = !args['no-pin'] && workers === 1 && HAS_TASKSET;
const names = args.scenarios?.split(',').map((name) => name.trim()) ?? (smoke ? SMOKE_SCENARIOS : DEFAULT_SCENARIOS);
const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
if (unknown.length > 0) fail(`unknown scenario ${unknown.join(', ')} (try --help)`);
const scenarios = SCENARIOS.filter((scenario) => names.includes(scenario.name));
const PROFILE_DIR = join(ROOT, 'bench/results/profiles');
const poolSize = smoke ? 200 : 20_000;

if (!existsSync(LATCHKEY_MAIN)) fail(`${LATCHKEY_MAIN} is missing: run \`npm run build\` first`);
if (process.env.LATCHKEY_BENCH_MAIN === undefined && statSync(LATCHKEY_MAIN).mtimeMs < statSync(join(ROOT, 'src/cli/main.ts')).mtimeMs) console.warn('bench: dist/ looks older than src/: `npm run build` to measure the current code');
if (pin) pinSelf(LOADER_CPU);

// ---- Databases and clients --------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
const cleanups: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];

async function databaseUrl(): Promise<string | undefined> {
  if (!args.pg) return undefined; // latchkey's default: SQLite in the data dir
  const given = process.env.LATCHKEY_BENCH_DATABASE_URL;
  if (given) return given;
  const { findPostgresBinDir, missingPostgresReason, startPostgres } = await import('../test/support/postgres-server.js');
  const binDir = findPostgresBinDir();
  if (binDir === undefined) fail(`--pg: ${missingPostgresReason()}; or set LATCHKEY_BENCH_DATABASE_URL`);
  const server = await startPostgres(binDir);
  cleanups.push(() => server.stop());
  return server.adminUrl;
}

const pkjwtKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkjwtJwk = { ...pkjwtKeys.publicKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
const withKey = (client: ClientCredentials): ClientCredentials => ({ ...client, privateKey: pkjwtKeys.privateKey as KeyObject, kid: 'bench-es256' });

function latchkeyEnv(dbUrl: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('LATCHKEY_')) env[name] = value;
  return {
    ...env,
    LATCHKEY_DATA_DIR: join(work, 'latchkey'),
    LATCHKEY_LOG_LEVEL: 'warn',
    LATCHKEY_KEY_PREPUBLICATION_SECONDS: '0',
    // The load generator is one IP and a few clients: the per-minute limits (issue 9 item 4) would turn the run into 429s.
    // Still on and counted, so their cost is measured, at the most LATCHKEY_RATE_LIMITS accepts (10M a minute).
    LATCHKEY_RATE_LIMITS: JSON.stringify(Object.fromEntries(['token', 'introspection', 'revocation', 'par', 'login', 'device', 'registration'].map((name) => [name, { perIp: 10_000_000, perClient: 10_000_000 }]))),
    ...(dbUrl !== undefined && { LATCHKEY_DATABASE_URL: dbUrl }),
    ...extra,
  };
}

async function createLatchkeyClient(env: NodeJS.ProcessEnv, metadata: Record<string, unknown>): Promise<ClientCredentials> {
  const file = join(work, `client-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(metadata));
  const out = JSON.parse(await runCommand(process.execPath, [LATCHKEY_MAIN, 'client', 'create', '--from-file', file, '--json'], env)) as { client_id: string; client_secret?: string };
  return { clientId: out.client_id, ...(out.client_secret !== undefined && { clientSecret: out.client_secret }) };
}

// ---- Servers ----------------------------------------------------------------------------------------------------

const serverCpus = pin ? SERVER_CPU : undefined;
const INSTANCE_ENV: Record<Instance, Record<string, string>> = {
  default: {},
  rs256: { LATCHKEY_ACCESS_TOKEN_ALG: 'RS256' },
  'info-log': { LATCHKEY_LOG_LEVEL: 'info' },
};

async function startLatchkey(dbUrl: string | undefined, instance: Instance): Promise<ServerProcess> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  return startProcess({
    name: `latchkey (${instance})`,
    command: process.execPath,
    args: [...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=latchkey-${instance}-${Date.now()}.cpuprofile`] : []), LATCHKEY_MAIN, 'serve', ...(workers > 1 ? ['--workers', String(workers)] : [])],
    env: latchkeyEnv(dbUrl, { LATCHKEY_HOST: '127.0.0.1', LATCHKEY_PORT: String(port), LATCHKEY_ISSUER: issuer, ...INSTANCE_ENV[instance] }),
    cpus: serverCpus,
    ready: /listening on (http:\/\/\S+)/,
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The run whose req/s is the median of `repeat` runs (so its latency and CPU belong together). */
async function measure(url: string, prepared: Pick<Prepared, 'spec'>, pid: number): Promise<Measurement> {
  if (warmup > 0) await runLoad({ url, spec: prepared.spec, connections, durationSeconds: warmup });
  const runs: Measurement[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await runLoad({ url, spec: prepared.spec, connections, durationSeconds: duration, serverPid: pid }));
  const middle = median(runs.map((run) => run.requestsPerSecond));
  return runs.find((run) => run.requestsPerSecond === middle) ?? (runs[0] as Measurement);
}

interface Row {
  readonly scenario: string;
  readonly title: string;
  readonly target: 'baseline' | 'latchkey' | 'peer';
  readonly result?: Measurement;
  readonly skipped?: string;
  readonly ratioToBaseline?: number;
  /** The same ratio in requests per server CPU-second. */
  readonly cpuRatioToBaseline?: number;
  readonly latchkeyOverPeer?: number;
  /** Set when non-2xx responses or errors dominate the run: its req/s measures nothing. */
  readonly failed?: string;
}

/** A run whose answers are mostly errors (429, 401, 5xx, timeouts) is a broken run, not a slow one. */
function failure(result: Measurement, expectedNon2xxShare = 0): string | undefined {
  const total = result.requests + result.errors;
  const bad = Math.max(0, result.non2xx - Math.round(expectedNon2xxShare * result.requests)) + result.errors;
  return total === 0 ? 'no responses' : bad * 2 > total ? `${bad} of ${total} responses non-2xx or errors` : undefined;
}
const failures: string[] = [];

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  // Other work on the machine skews every figure: say so rather than quietly report noise.
  if (loadBefore > 0.5) console.warn(`bench: the 1-minute load average is ${loadBefore.toFixed(2)} before the run: other processes share these cores, expect noise`);
  const dbUrl = await databaseUrl();
  const bootstrapEnv = latchkeyEnv(dbUrl);
  const confidential = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  const pkjwt = { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [pkjwtJwk] } };
  const latchkeyClients = {
    opaqueBasic: await createLatchkeyClient(bootstrapEnv, { client_name: 'bench opaque basic', ...confidential, token_endpoint_auth_method: 'client_secret_basic', policy: { access_token_format: 'opaque' } }),
    jwtBasic: await createLatchkeyClient(bootstrapEnv, { client_name: 'bench jwt basic', ...confidential, token_endpoint_auth_method: 'client_secret_basic', policy: { access_token_format: 'jwt' } }),
    opaquePkjwt: withKey(await createLatchkeyClient(bootstrapEnv, { client_name: 'bench opaque pkjwt', ...confidential, ...pkjwt, policy: { access_token_format: 'opaque' } })),
    jwtPkjwt: withKey(await createLatchkeyClient(bootstrapEnv, { client_name: 'bench jwt pkjwt', ...confidential, ...pkjwt, policy: { access_token_format: 'jwt' } })),
  };
  const redirectUri = 'http://127.0.0.1:1/cb';
  const codeClient = await createLatchkeyClient(bootstrapEnv, {
    client_name: 'bench code flow',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_basic',
    policy: { access_token_format: 'jwt', always_issue_refresh_token: true },
  });
  const user = { username: 'bench-user', password: 'bench-password-0123456789' };
  const email = 'bench@example.com';
  await runCommand(process.execPath, [LATCHKEY_MAIN, 'user', 'create', user.username, '--email', email, '--password-stdin'], bootstrapEnv, `${user.password}\n`);
  let seedReport: Record<string, unknown> | undefined;
  if (args.seed !== undefined) seedReport = await seedDatabase({ size: args.seed, databaseUrl: dbUrl ?? `sqlite:${join(work, 'latchkey', 'latchkey.db')}`, log: (line) => console.log(`seed: ${line}`) });

  const baseline = await startProcess({ name: 'baseline', command: process.execPath, args: [join(ROOT, 'bench/servers/baseline.mjs')], cpus: serverCpus, ready: /listening on (http:\/\/\S+)/ });
  cleanups.push(() => baseline.stop());

  const instances = new Map<Instance, ServerProcess>();
  const latchkeyInstance = async (instance: Instance): Promise<ServerProcess> => {
    const running = instances.get(instance);
    if (running) return running;
    for (const [other, server] of instances) {
      if (other !== 'default') {
        await server.stop();
        instances.delete(other);
      }
    }
    const server = await startLatchkey(dbUrl, instance);
    instances.set(instance, server);
    return server;
  };
  cleanups.push(async () => {
    for (const server of instances.values()) await server.stop();
  });
  await latchkeyInstance('default');

  const latchkeySide: Side = {
    name: 'latchkey',
    paths: { discovery: '/.well-known/openid-configuration', jwks: '/jwks', token: '/token', introspection: '/introspect', revocation: '/revoke' },
    client: (kind: TokenKind, auth) => (kind === 'opaque' ? (auth === 'basic' ? latchkeyClients.opaqueBasic : latchkeyClients.opaquePkjwt) : auth === 'basic' ? latchkeyClients.jwtBasic : latchkeyClients.jwtPkjwt),
    tokenParameters: () => ({}),
    instanceFor: (kind) => (kind === 'rs256' ? 'rs256' : 'default'),
    baseUrl: async (instance) => (await latchkeyInstance(instance)).url,
    codeFlow: { client: { ...codeClient, redirectUri, scope: CODE_SCOPE }, ...user, authorization: '/authorize', userinfo: '/userinfo' },
  };

  let peerSide: Side | undefined;
  let peer: ServerProcess | undefined;
  if (args.peer === 'oidc-provider') {
    const peerBasic = { clientId: 'bench-basic', clientSecret: 'bench-basic-secret-0123456789abcdefghijklmnopqrstuvwxyz' };
    const peerPkjwt = withKey({ clientId: 'bench-pkjwt' });
    const peerCode = { clientId: 'bench-code', clientSecret: 'bench-code-secret-0123456789abcdefghijklmnopqrstuvwxyz', redirectUri, scope: CODE_SCOPE };
    const peerClients = [
      { client_id: peerBasic.clientId, client_secret: peerBasic.clientSecret, ...confidential, token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: peerPkjwt.clientId, ...confidential, ...pkjwt },
      { client_id: peerCode.clientId, client_secret: peerCode.clientSecret, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' },
    ];
    const port = await freePort();
    peer = await startProcess({
      name: 'oidc-provider',
      command: process.execPath,
      args: [join(ROOT, 'bench/servers/oidc-provider-peer.mjs')],
      env: { ...process.env, NODE_ENV: 'production', LATCHKEY_BENCH_PEER_PORT: String(port), LATCHKEY_BENCH_PEER_CLIENTS: JSON.stringify(peerClients), LATCHKEY_BENCH_PEER_USER: JSON.stringify({ ...user, email }) },
      cpus: serverCpus,
      ready: /listening on (http:\/\/\S+)/,
    });
    cleanups.push(() => peer!.stop());
    const peerUrl = peer.url;
    peerSide = {
      name: 'peer',
      paths: { discovery: '/.well-known/openid-configuration', jwks: '/jwks', token: '/token', introspection: '/token/introspection', revocation: '/token/revocation' },
      client: (_kind, auth) => (auth === 'basic' ? peerBasic : peerPkjwt),
      tokenParameters: (kind): Record<string, string> => (kind === 'opaque' ? {} : { resource: `urn:bench:${kind}`, scope: 'api' }),
      instanceFor: () => 'default',
      baseUrl: async () => peerUrl,
      // Its JWT access tokens come through a resource indicator (granted at /auth, reused by the code exchange and each
      // refresh); its userinfo refuses tokens with an audience, so that scenario's tokens are opaque ones without it.
      codeFlow: {
        client: { ...peerCode, scope: `${CODE_SCOPE} api`, parameters: { resource: 'urn:bench:es256' } },
        userinfoClient: peerCode,
        ...user,
        authorization: '/auth',
        userinfo: '/me',
      },
    };
  }

  const rows: Row[] = [];
  const print = (row: Row): void => {
    rows.push(row);
    const r = row.result;
    if (row.failed !== undefined) {
      failures.push(`${row.scenario} (${row.target}): ${row.failed}`);
      console.error(`bench: FAILED ${row.scenario} on ${row.target}: ${row.failed}`);
    }
    const line = r
      ? `${row.target.padEnd(9)} ${String(r.requestsPerSecond).padStart(7)} req/s  p50 ${r.latencyP50Ms} ms  p99 ${r.latencyP99Ms} ms  cpu ${r.serverCpuPercent ?? '?'}% (${r.requestsPerCpuSecond ?? '?'} req/CPU-s)  rss ${r.serverRssMiB ?? '?'} MiB${r.non2xx + r.errors > 0 ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`
      : `${row.target.padEnd(9)} skipped: ${row.skipped}`;
    console.log(`  ${line}`);
  };

  console.log(`bench: ${connections} connections, ${warmup} s warm-up, ${duration} s × ${repeat} per target; ${pin ? `server on CPU ${SERVER_CPU}, load generator on CPU ${LOADER_CPU}` : 'not pinned'}; ${dbUrl ? 'PostgreSQL' : 'SQLite'}; workers ${workers}`);
  for (const scenario of scenarios) {
    console.log(`\n${scenario.name}: ${scenario.title}`);
    const base = await measure(baseline.url, { spec: { path: '/' } }, baseline.pid);
    print({ scenario: scenario.name, title: scenario.title, target: 'baseline', result: base, ...(failure(base) !== undefined && { failed: failure(base) }) });
    const sides = peerSide ? [latchkeySide, peerSide] : [latchkeySide];
    const measured: Partial<Record<'latchkey' | 'peer', Measurement>> = {};
    for (const side of sides) {
      const target = side.name;
      let prepared: Prepared | { skip: string };
      try {
        prepared = await scenario.prepare(side, { poolSize });
      } catch (error) {
        prepared = { skip: `set-up failed: ${(error as Error).message.split('\n')[0]}` };
      }
      if ('skip' in prepared) {
        print({ scenario: scenario.name, title: scenario.title, target, skipped: prepared.skip });
        continue;
      }
      const server = side.name === 'peer' ? (peer as ServerProcess) : await latchkeyInstance(prepared.instance);
      let wrong: string | undefined;
      if (prepared.preflight) wrong = await prepared.preflight().catch((error: unknown) => (error as Error).message);
      else {
        const probe = await sendOnce(server.url, prepared.spec);
        wrong = prepared.check(probe.status, probe.body);
      }
      if (wrong !== undefined) {
        print({ scenario: scenario.name, title: scenario.title, target, skipped: `not available: ${wrong}` });
        continue;
      }
      const result = await measure(server.url, prepared, server.pid);
      measured[target] = result;
      print({
        scenario: scenario.name,
        title: scenario.title,
        target,
        result,
        ...(failure(result, scenario.expectedNon2xxShare) !== undefined && { failed: failure(result, scenario.expectedNon2xxShare) }),
        ratioToBaseline: ratio(result.requestsPerSecond, base.requestsPerSecond),
        ...(result.requestsPerCpuSecond && base.requestsPerCpuSecond && { cpuRatioToBaseline: ratio(result.requestsPerCpuSecond, base.requestsPerCpuSecond) }),
      });
    }
    if (measured.latchkey && measured.peer) {
      const last = rows.findLast((row) => row.target === 'latchkey' && row.scenario === scenario.name);
      if (last) rows[rows.indexOf(last)] = { ...last, latchkeyOverPeer: ratio(measured.latchkey.requestsPerSecond, measured.peer.requestsPerSecond) };
    }
  }

  console.log(`\n${table(rows)}`);
  const report = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform, taskset: HAS_TASKSET, proc: HAS_PROC, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] },
    settings: { connections, durationSeconds: duration, warmupSeconds: warmup, repeat, pinned: pin, database: dbUrl ? 'postgresql' : 'sqlite', workers, peer: args.peer ?? null, smoke, seed: args.seed ?? null },
    seed: seedReport ?? null,
    rows,
  };
  const out = args.out ?? join(ROOT, 'bench/results', `${started.toISOString().replace(/[:.]/g, '-')}${smoke ? '-smoke.tmp' : ''}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nbench: results in ${out}`);
  if (failures.length > 0) throw new Error(`${failures.length} run(s) FAILED, their figures measure errors:\n  ${failures.join('\n  ')}`);
}

/** After the servers stopped (profiles are written on exit): one summary per profile this run wrote. */
function summariseProfiles(since: number): void {
  if (!args['cpu-prof'] || !existsSync(PROFILE_DIR)) return;
  for (const name of readdirSync(PROFILE_DIR)) {
    const path = join(PROFILE_DIR, name);
    if (!name.endsWith('.cpuprofile') || statSync(path).mtimeMs < since) continue;
    console.log(`\n## ${path}\n\n${formatProfile(summariseProfile(path, 20))}`);
  }
}

function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 100) / 100 : 0;
}

/** Markdown, so it can be pasted into an issue note. */
function table(rows: readonly Row[]): string {
  const lines = [
    '| scenario | target | req/s | × bare | p50 ms | p99 ms | server CPU % | req/CPU-s | × bare (CPU) | RSS MiB | Latchkey/peer |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const r = row.result;
    if (!r) {
      lines.push(`| ${row.scenario} | ${row.target} | — | | | | | | | | ${row.skipped ?? ''} |`);
      continue;
    }
    if (row.failed !== undefined) {
      lines.push(`| ${row.scenario} | ${row.target} | FAILED | | | | | | | | ${row.failed} |`);
      continue;
    }
    lines.push(`| ${row.scenario} | ${row.target} | ${r.requestsPerSecond} | ${row.target === 'baseline' ? '1.00' : (row.ratioToBaseline ?? 0).toFixed(2)} | ${r.latencyP50Ms} | ${r.latencyP99Ms} | ${r.serverCpuPercent ?? '?'} | ${r.requestsPerCpuSecond ?? '?'} | ${row.target === 'baseline' ? '1.00' : (row.cpuRatioToBaseline?.toFixed(2) ?? '?')} | ${r.serverRssMiB ?? '?'} | ${row.latchkeyOverPeer?.toFixed(2) ?? ''} |`);
  }
  return lines.join('\n');
}

const benchStarted = Date.now();
let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(`bench: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  summariseProfiles(benchStarted);
}
process.exit(exitCode);
