// Throttling failed logins per account and per IP address with growing delays (NIST SP 800-63B §5.2.2, OWASP
// Authentication Cheat Sheet). The counters live in the database, so every process sees the same ones.
import type { Clock } from '../lib/clock.js';
import { hashSecret } from '../lib/hash.js';
import type { Storage } from '../storage/storage.js';

/** Failures allowed without delay, then the delay doubles from one second up to the cap. */
export const THROTTLE = {
  account: { free: 5 },
  ip: { free: 20 },
  maxDelayMs: 15 * 60_000,
  /** A counter with no failure for this long starts again. */
  windowMs: 60 * 60_000,
} as const;

/** How long after the last failure the next attempt is allowed. */
export function retryDelayMs(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(1000 * 2 ** (failures - free), THROTTLE.maxDelayMs);
}

// Keyed by what was typed (hashed: bounded length, nothing personal in the table), not by the user found,
// so the throttle behaves the same whether or not the account exists.
const accountKey = (identifier: string): string => `account:${hashSecret(identifier.trim().toLowerCase())}`;
const ipKey = (ip: string): string => `ip:${ip}`;

export interface ThrottleDeps {
  readonly storage: Storage;
  readonly clock: Clock;
}

/** Milliseconds to wait before this attempt is allowed; 0 when it may proceed. */
export async function loginWaitMs(identifier: string, ip: string, deps: ThrottleDeps): Promise<number> {
  const records = await deps.storage.loginThrottle.find([accountKey(identifier), ipKey(ip)]);
  const now = deps.clock.now();
  let wait = 0;
  for (const record of records) {
    if (now - record.lastFailureAt >= THROTTLE.windowMs) continue;
    const free = record.key.startsWith('ip:') ? THROTTLE.ip.free : THROTTLE.account.free;
    wait = Math.max(wait, record.lastFailureAt + retryDelayMs(record.failures, free) - now);
  }
  return wait;
}

export async function recordLoginFailure(identifier: string, ip: string, deps: ThrottleDeps): Promise<void> {
  const now = deps.clock.now();
  await deps.storage.loginThrottle.recordFailure(accountKey(identifier), now, THROTTLE.windowMs);
  await deps.storage.loginThrottle.recordFailure(ipKey(ip), now, THROTTLE.windowMs);
}

/** After a success the account's counter starts again; the IP's does not (one good account must not unlock guessing at others). */
export async function clearLoginFailures(identifier: string, deps: ThrottleDeps): Promise<void> {
  await deps.storage.loginThrottle.clear(accountKey(identifier));
}
