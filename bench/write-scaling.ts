// Issue 10 §3: why the write scenarios slow down on a full database. Replays the storage writes of the
// authorization-code round trip (the /authorize transaction: grant + code; the /token transaction: grant touch, code
// consumed, refresh token, access token, audit event) and of client_credentials (access token + audit event, group
// committed) through the real SQLite storage, on an empty file and on a seeded one (bench/lib/seed.ts), and reports per
// operation: CPU (process-wide, so the checkpoint worker counts), bytes written and read through syscalls
// (/proc/self/io wchar, rchar: WAL frames, checkpoint copies, page reads), and the pages the WAL grew by.
// Run: npx tsx bench/write-scaling.ts small|medium|full [system|v4|v7]: an empty file against a seeded one, rounds
// alternating between them; npx tsx bench/write-scaling.ts uuid-grants: UUIDv4 against time-ordered grant ids among 1M
// UUIDv4 grants. The files go to $TMPDIR and are deleted.
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../src/lib/clock.js';
import { hashSecret } from '../src/lib/hash.js';
import { systemRandom } from '../src/lib/random.js';
import { toAuditRecord } from '../src/protocol/audit/audit-event.js';
import { openStorage } from '../src/storage/open-storage.js';
import type { Storage } from '../src/storage/storage.js';
import { seedDatabase } from './lib/seed.js';

const size = process.argv[2] ?? 'none';
const ids = process.argv[3] ?? 'system';
/** Grant ids: the system's random.id(), or forced to UUIDv4 / a UUIDv7-shaped time-ordered id, to compare. */
const grantId = (kind: string): string => {
  const ids = kind;
  if (ids === 'v4') return randomUUID();
  if (ids === 'v7') {
    const bytes = randomBytes(16);
    bytes.writeUIntBE(Date.now(), 0, 6);
    bytes[6] = 0x70 | (bytes[6]! & 0x0f);
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return systemRandom.id();
};

const io = (): { read: number; written: number } => {
  const text = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { read: field('rchar'), written: field('wchar') };
};

/** CPU µs (user + system) per thread of this process, by thread name and id: the checkpoint worker is one of them. */
const threads = (): Map<string, number> => {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out.set(`${name}/${tid}`, ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100); // utime + stime, in clock ticks (100/s)
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
};

const event = (clientId: string, subject?: string) =>
  toAuditRecord(
    { type: 'token.issued', clientId, ...(subject !== undefined && { subject }), details: { grant_type: 'authorization_code', issued: 'access_token refresh_token', format: 'jwt', sender_constrained: 'none', scope: 'openid offline_access' } },
    { actor: `client:${clientId}`, ip: '127.0.0.1', userAgent: 'autocannon' },
    { clock: systemClock, random: systemRandom },
  );

async function codeRoundTrip(storage: Storage, kind: string): Promise<void> {
  const now = Date.now();
  const id = grantId(kind);
  const code = hashSecret(systemRandom.token());
  await storage.transaction(async (tx) => {
    await tx.grants.create({ id, clientId: 'bench-code', subject: 'bench-user', scope: ['openid', 'offline_access'], resources: [], sessionId: 'bench-session', authTime: now, amr: ['pwd'], createdAt: now, expiresAt: now + 60_000 });
    await tx.authorizationCodes.save({ hash: code, clientId: 'bench-code', grantId: id, subject: 'bench-user', redirectUri: 'http://127.0.0.1:1/cb', redirectUriProvided: true, scope: ['openid', 'offline_access'], authTime: now, amr: ['pwd'], sessionId: 'bench-session', createdAt: now, expiresAt: now + 60_000 });
  });
  await storage.transaction(async (tx) => {
    if (!(await tx.grants.touch(id, now, now + 86_400_000))) throw new Error('grant revoked');
    if (!(await tx.authorizationCodes.consume(code, now))) throw new Error('code used');
    await tx.refreshTokens.save({ hash: hashSecret(systemRandom.token()), grantId: id, clientId: 'bench-code', subject: 'bench-user', scope: ['openid', 'offline_access'], issuedAt: now, expiresAt: now + 86_400_000, absoluteExpiresAt: now + 86_400_000 });
    await tx.accessTokens.save({ id: systemRandom.token(16), format: 'jwt', clientId: 'bench-code', grantId: id, subject: 'bench-user', scope: ['openid'], audience: ['urn:bench'], issuedAt: now, expiresAt: now + 600_000 });
    await tx.audit.record(event('bench-code', 'bench-user'));
  });
}

async function clientCredentials(storage: Storage): Promise<void> {
  const now = Date.now();
  await Promise.all([
    storage.accessTokens.save({ id: hashSecret(systemRandom.token()), format: 'opaque', clientId: 'bench-cc', scope: [], audience: ['urn:bench'], issuedAt: now, expiresAt: now + 600_000 }),
    storage.audit.record(event('bench-cc')),
  ]);
}

interface Sample {
  readonly cpu: number;
  readonly sys: number;
  readonly checkpointer: number;
  readonly written: number;
  readonly read: number;
}

/** One round of `n` operations from `concurrency` callers: per operation, CPU µs (all threads), bytes through syscalls. */
async function round(storage: Storage, op: (storage: Storage) => Promise<void>, n: number, concurrency: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const before = io();
  const threadsBefore = threads();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) await op(storage);
  }));
  const used = process.cpuUsage(cpu);
  const after = io();
  const main = `${process.pid}`;
  let checkpointer = 0; // the busiest thread other than the main one: the checkpoint worker
  for (const [name, us] of threads()) if (!name.endsWith(`/${main}`)) checkpointer = Math.max(checkpointer, us - (threadsBefore.get(name) ?? 0));
  return { cpu: (used.user + used.system) / n, sys: used.system / n, checkpointer: checkpointer / n, written: (after.written - before.written) / n, read: (after.read - before.read) / n };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Rounds alternate between the variants, so a busy machine weighs on each alike; medians per variant. */
async function compare(name: string, variants: readonly { label: string; storage: Storage; op: (storage: Storage) => Promise<void> }[], n: number, rounds: number): Promise<void> {
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
  for (const v of variants) await round(v.storage, v.op, Math.min(500, n), 50); // warm-up: statements prepared, hot pages cached
  for (let i = 0; i < rounds; i++) for (const v of variants) samples.get(v.label)!.push(await round(v.storage, v.op, n, 50));
  const first = median(samples.get(variants[0]!.label)!.map((s) => s.cpu));
  for (const v of variants) {
    const list = samples.get(v.label)!;
    const m = (key: keyof Sample): number => median(list.map((s) => s[key]));
    console.log(
      `${name.padEnd(20)} ${v.label.padEnd(14)} ${m('cpu').toFixed(0).padStart(5)} µs CPU/op (sys ${m('sys').toFixed(0)}, checkpoint thread ${m('checkpointer').toFixed(0)})  ${(first / m('cpu')).toFixed(2)}× ops/CPU-s of ${variants[0]!.label}  ` +
        `${(m('written') / 1024).toFixed(1)} KiB written/op, ${(m('read') / 1024).toFixed(1)} KiB read/op  (rounds: ${list.map((s) => s.cpu.toFixed(0)).join(' ')})`,
    );
  }
}

/**
 * 1M grants with UUIDv4 ids and a refresh token each (a base64url-shaped hash): keys shaped as the server makes them,
 * so new rows land among the seeded ones (bench/lib/seed.ts's `seed-grant-N` and hex hashes sort apart from them).
 */
function seedUuidGrants(path: string): void {
  const db = new Database(path);
  db.pragma('synchronous = OFF');
  const seq = 'with recursive seq(n) as (select 1 union all select n + 1 from seq where n < 1000000)';
  const uuid = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))`;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const b64 = Array.from({ length: 43 }, () => `substr('${alphabet}', 1 + abs(random()) % 64, 1)`).join(' || ');
  const now = Date.now();
  db.transaction(() => {
    db.exec(`${seq} insert into grants (id, client_id, subject, scope, resources, created_at, expires_at) select ${uuid}, 'bench-code', 'u' || n, 'openid', '[]', ${now}, ${now + 86_400_000} from seq`);
    db.exec(`insert into refresh_tokens (hash, grant_id, client_id, subject, scope, issued_at, expires_at, absolute_expires_at) select ${b64}, id, client_id, subject, scope, ${now}, ${now + 86_400_000}, ${now + 86_400_000} from grants`);
  })();
  db.exec('analyze');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

async function createFile(path: string): Promise<void> {
  const setup = await openStorage(`sqlite:${path}`);
  const now = Date.now();
  for (const clientId of ['bench-cc', 'bench-code']) {
    await setup.clients.create({
      clientId,
      metadata: { redirect_uris: [], grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic', scope: 'read' },
      policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [] },
      secretHash: 'x',
      createdAt: now + (clientId === 'bench-cc' ? 0 : 1), // the seeded access tokens go to the first client, as in the bench
      updatedAt: now,
    });
  }
  await setup.close(); // the seed takes an exclusive lock
}

async function main(): Promise<void> {
  const empty = join(tmpdir(), `latchkey-write-scaling-${process.pid}-empty.db`);
  const seeded = join(tmpdir(), `latchkey-write-scaling-${process.pid}-${size}.db`);
  const opened: Storage[] = [];
  try {
    await createFile(empty);
    await createFile(seeded);
    if (size === 'uuid-grants') seedUuidGrants(seeded);
    else await seedDatabase({ size, databaseUrl: `sqlite:${seeded}`, log: (line) => console.error(`seed: ${line}`) });
    const a = await openStorage(`sqlite:${empty}`);
    const b = await openStorage(`sqlite:${seeded}`);
    opened.push(a, b);
    if (size === 'uuid-grants') {
      // One seeded file; UUIDv4 grant ids (random among 1M) against time-ordered ones (appended).
      const withIds = (kind: string) => (storage: Storage) => codeRoundTrip(storage, kind);
      await compare('code round trip', [{ label: 'v4 grant ids', storage: b, op: withIds('v4') }, { label: 'v7 grant ids', storage: b, op: withIds('v7') }], 2_000, 5);
    } else {
      await compare('client_credentials', [{ label: 'empty', storage: a, op: clientCredentials }, { label: size, storage: b, op: clientCredentials }], 10_000, 5);
      await compare('code round trip', [{ label: 'empty', storage: a, op: (s) => codeRoundTrip(s, ids) }, { label: size, storage: b, op: (s) => codeRoundTrip(s, ids) }], 2_000, 5);
    }
  } finally {
    for (const storage of opened) await storage.close();
    for (const path of [empty, seeded]) for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
}

await main();
