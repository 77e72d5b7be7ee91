// Retrying back-channel logout delivery (OIDC Back-Channel Logout 1.0 §2.7 leaves retries to the OP): exponential
// backoff with a ceiling, and a bounded number of attempts so a dead RP does not keep a row forever.

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly maxAttempts: number;
}

export const BACKCHANNEL_BACKOFF: Omit<BackoffPolicy, 'maxAttempts'> = { baseMs: 2000, maxMs: 10 * 60_000 };

/** When to try again after `attempts` failed attempts (1, 2, …), or undefined when it is time to give up. */
export function nextAttemptAt(attempts: number, now: number, policy: BackoffPolicy): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const delay = Math.min(policy.baseMs * 2 ** (attempts - 1), policy.maxMs);
  return now + delay;
}
