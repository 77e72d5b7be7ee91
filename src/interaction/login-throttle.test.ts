// NIST SP 800-63B §5.2.2: failed logins are throttled per account and per IP, with growing delays, in the database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/storage.js';
import { clearLoginFailures, loginWaitMs, recordLoginFailure, retryDelayMs, THROTTLE } from './login-throttle.js';

describe('login throttling', () => {
  let storage: Storage;
  const clock = new ManualClock();
  beforeEach(async () => {
    storage = await openStorage('sqlite::memory:');
  });
  afterEach(() => storage.close());

  it('delays double after the free attempts, up to a cap', () => {
    expect([4, 5, 6, 7].map((n) => retryDelayMs(n, 5))).toEqual([0, 1000, 2000, 4000]);
    expect(retryDelayMs(100, 5)).toBe(THROTTLE.maxDelayMs);
  });

  it('an account is held back after repeated failures whatever the IP, and released by time or a success', async () => {
    const deps = { storage, clock };
    for (let i = 0; i < THROTTLE.account.free; i++) await recordLoginFailure('Alice', `10.0.0.${i}`, deps);
    expect(await loginWaitMs('alice', '10.0.0.99', deps)).toBe(1000);
    clock.advance(1000);
    expect(await loginWaitMs('alice', '10.0.0.99', deps)).toBe(0);
    await recordLoginFailure('alice', '10.0.0.99', deps);
    expect(await loginWaitMs('alice', '10.0.0.99', deps)).toBe(2000);
    await clearLoginFailures('alice', deps);
    expect(await loginWaitMs('alice', '10.0.0.99', deps)).toBe(0);
  });

  it('an IP guessing across many accounts is held back', async () => {
    const deps = { storage, clock };
    for (let i = 0; i < THROTTLE.ip.free; i++) await recordLoginFailure(`user${i}`, '192.0.2.1', deps);
    expect(await loginWaitMs('someone-else', '192.0.2.1', deps)).toBe(1000);
    expect(await loginWaitMs('someone-else', '192.0.2.2', deps)).toBe(0);
  });
});
