// Micro-benchmark of the token.issued audit event (issue 9 item 8) on the client_credentials hot path: the storage cost
// of one issuance before (one INSERT of the access token) and after (that INSERT and the audit row in one transaction),
// on SQLite (file, WAL) and PostgreSQL (a throwaway server from the test harness), interleaved rounds so that a noisy
// machine affects both alike. Run: npx tsx bench/token-audit-write.ts
import { randomBytes } from 'node:crypto';
import { systemClock } from '../src/lib/clock.js';
import { systemRandom } from '../src/lib/random.js';
import { toAuditRecord } from '../src/protocol/audit/audit-event.js';
import type { AccessTokenRecord } from '../src/storage/records/access-token.js';
import type { Storage } from '../src/storage/storage.js';
import { forEachStorage } from './lib/storages.js';

const token = (): AccessTokenRecord => {
  const now = Date.now();
  return { id: randomBytes(32).toString('base64url'), format: 'opaque', clientId: 'bench', scope: ['read'], audience: ['https://api.example'], issuedAt: now, expiresAt: now + 600_000 };
};
const event = () =>
  toAuditRecord(
    { type: 'token.issued', clientId: 'bench', details: { grant_type: 'client_credentials', issued: 'access_token', format: 'opaque', sender_constrained: 'none', scope: 'read' } },
    { actor: 'client:bench', ip: '127.0.0.1', userAgent: 'autocannon' },
    { clock: systemClock, random: systemRandom },
  );

const variants = {
  'token only': (storage: Storage) => storage.accessTokens.save(token()),
  'token + audit (1 tx)': (storage: Storage) =>
    storage.transaction(async (tx) => {
      await tx.accessTokens.save(token());
      await tx.audit.record(event());
    }),
  'token, then audit (2 statements, awaited in turn)': async (storage: Storage) => {
    await storage.accessTokens.save(token());
    await storage.audit.record(event());
  },
  'save(token, event) (as issued: one statement on PostgreSQL, one group commit on SQLite)': (storage: Storage) => storage.accessTokens.save(token(), event()),
} as const;

async function run(storage: Storage, write: (storage: Storage) => Promise<void>, n: number, concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) await write(storage);
  }));
  return n / ((performance.now() - started) / 1000);
}

async function ensureClient(storage: Storage): Promise<void> {
  const now = Date.now();
  await storage.clients.create({
    clientId: 'bench',
    metadata: { redirect_uris: [], grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic', scope: 'read' },
    policy: { accessTokenFormat: 'opaque', allowedLegacyGrants: [] },
    secretHash: 'x',
    createdAt: now,
    updatedAt: now,
  });
}

async function measure(name: string, storage: Storage, concurrency: number): Promise<void> {
  const results: Record<string, number[]> = {};
  for (const write of Object.values(variants)) await run(storage, write, 300, concurrency); // warm-up
  for (let round = 0; round < 5; round++) {
    for (const [variant, write] of Object.entries(variants)) (results[variant] ??= []).push(await run(storage, write, 2000, concurrency));
  }
  for (const [variant, rates] of Object.entries(results)) {
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(`${name.padEnd(20)} c=${String(concurrency).padEnd(3)} ${variant.padEnd(22)} median ${sorted[2]?.toFixed(0).padStart(6)} issuances/s  (${sorted.map((r) => r.toFixed(0)).join(' ')})`);
  }
}

await forEachStorage(async (name, storage) => {
  await ensureClient(storage);
  // One at a time shows the per-commit cost; 32 concurrent, what batching does with it (PostgreSQL: the pool).
  if (!name.startsWith('postgres')) await measure(name, storage, 1);
  await measure(name, storage, 32);
});
