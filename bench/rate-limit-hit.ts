// Micro-benchmark of one rate-limit hit (issue 9 item 4: "measure"): the cost of the atomic upsert on SQLite (file
// and memory) and PostgreSQL (a throwaway server from the test harness), sequential and 32 concurrent.
// Run: npx tsx bench/rate-limit-hit.ts
import type { Storage } from '../src/storage/storage.js';
import { forEachStorage } from './lib/storages.js';

const MINUTE = 60_000;

async function measure(name: string, storage: Storage): Promise<void> {
  const windowStart = Date.now() - (Date.now() % MINUTE);
  for (let i = 0; i < 200; i++) await storage.rateLimits.hit(`warm:${i % 50}`, windowStart, MINUTE);
  const n = 2000;
  let started = performance.now();
  for (let i = 0; i < n; i++) await storage.rateLimits.hit(`seq:${i % 100}`, windowStart, MINUTE);
  const sequential = (performance.now() - started) / n;
  started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) {
      next++;
      await storage.rateLimits.hit(`par:${next % 100}`, windowStart, MINUTE);
    }
  }));
  const concurrentPerSecond = n / ((performance.now() - started) / 1000);
  console.log(`${name.padEnd(18)} sequential ${(sequential * 1000).toFixed(0).padStart(5)} µs/hit   32 concurrent ${concurrentPerSecond.toFixed(0).padStart(6)} hits/s`);
}

await forEachStorage(measure, { memory: true });
