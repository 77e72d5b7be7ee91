// Throttling user-code guesses (RFC 8628 §5.1: "rate-limit user code attempts") per IP address and across the whole
// server, with the growing delays and the shared database counters of the login throttle.
import { hashSecret } from '../lib/hash.js';
import { retryDelayMs, THROTTLE, type ThrottleDeps } from './login-throttle.js';

/** Wrong codes allowed without delay: a person mistypes a few; a guesser needs ~2^33 tries per live code. */
export const USER_CODE_THROTTLE = {
  ip: { free: 10 },
  /** Every wrong code anywhere: bounds a guesser spread over many addresses (at the cost of slowing everyone). */
  global: { free: 1000 },
} as const;

// Distinct from the login throttle's `account:` and `ip:` keys; the IP is hashed to keep the key bounded.
const ipKey = (ip: string): string => `user-code-ip:${hashSecret(ip)}`;
const GLOBAL_KEY = 'user-code-global';

/** Milliseconds to wait before the next user code may be tried from `ip`; 0 when it may. */
export async function userCodeWaitMs(ip: string, deps: ThrottleDeps): Promise<number> {
  const records = await deps.storage.loginThrottle.find([ipKey(ip), GLOBAL_KEY]);
  const now = deps.clock.now();
  let wait = 0;
  for (const record of records) {
    if (now - record.lastFailureAt >= THROTTLE.windowMs) continue;
    const free = record.key === GLOBAL_KEY ? USER_CODE_THROTTLE.global.free : USER_CODE_THROTTLE.ip.free;
    wait = Math.max(wait, record.lastFailureAt + retryDelayMs(record.failures, free) - now);
  }
  return wait;
}

export async function recordUserCodeFailure(ip: string, deps: ThrottleDeps): Promise<void> {
  const now = deps.clock.now();
  await deps.storage.loginThrottle.recordFailure(ipKey(ip), now, THROTTLE.windowMs);
  await deps.storage.loginThrottle.recordFailure(GLOBAL_KEY, now, THROTTLE.windowMs);
}
