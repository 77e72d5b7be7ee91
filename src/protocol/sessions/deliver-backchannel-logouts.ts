// Sending queued back-channel logout notifications: OIDC Back-Channel Logout 1.0 §2.5 (a form-encoded POST of
// logout_token), §2.8 (a 200 or 204 is success), retried with backoff (backoff.ts) and given up after maxAttempts.
import type { Config } from '../../config/config.js';
import type { BackchannelLogoutRecord } from '../../storage/records/backchannel-logout.js';
import { BACKCHANNEL_BACKOFF, nextAttemptAt } from './backoff.js';
import { signLogoutToken, type LogoutTokenDeps } from './logout-token.js';
import type { EndSessionDeps } from './end-session.js';

/** POSTs a form body to `uri`; resolves with the HTTP status, rejects (with a reason safe to store) when refused or unreachable. */
export type BackchannelTransport = (uri: string, form: Readonly<Record<string, string>>, timeoutMs: number) => Promise<number>;

export interface DeliveryDeps extends EndSessionDeps, LogoutTokenDeps {
  readonly config: Pick<Config, 'issuer' | 'keys' | 'backchannelLogout'>;
  readonly send: BackchannelTransport;
}

export interface DeliveryOutcome {
  readonly notification: BackchannelLogoutRecord;
  readonly result: 'delivered' | 'retrying' | 'abandoned';
  readonly error?: string;
}

/** Claims the notifications due now and sends each once; returns what happened to each. */
export async function deliverDueLogouts(deps: DeliveryDeps, limit = 20): Promise<DeliveryOutcome[]> {
  const { timeoutMs, maxAttempts } = deps.config.backchannelLogout;
  const now = deps.clock.now();
  const due = await deps.storage.backchannelLogouts.claimDue(now, now + timeoutMs * 2 + 1000, limit); // the claim outlasts one attempt
  return Promise.all(due.map((notification) => deliverOne(notification, deps, { timeoutMs, maxAttempts })));
}

async function deliverOne(notification: BackchannelLogoutRecord, deps: DeliveryDeps, limits: { timeoutMs: number; maxAttempts: number }): Promise<DeliveryOutcome> {
  const queue = deps.storage.backchannelLogouts;
  let error: string;
  const client = await deps.storage.clients.find(notification.clientId);
  const uri = client?.metadata.backchannel_logout_uri;
  if (client === undefined || uri === undefined) {
    await queue.recordFailure(notification.id, deps.clock.now(), notification.attempts + 1, 'the client or its backchannel_logout_uri is gone', undefined);
    return { notification, result: 'abandoned', error: 'client gone' };
  }
  try {
    const who = { ...(notification.subject !== undefined && { subject: notification.subject }), ...(notification.sessionId !== undefined && { sessionId: notification.sessionId }) };
    const status = await deps.send(uri, { logout_token: await signLogoutToken(client, who, deps) }, limits.timeoutMs);
    if (status === 200 || status === 204) {
      await queue.markDelivered(notification.id, deps.clock.now());
      return { notification, result: 'delivered' };
    }
    error = `the client answered ${status}`;
  } catch (failure) {
    error = failure instanceof Error ? failure.message : 'delivery failed';
  }
  const attempts = notification.attempts + 1;
  const now = deps.clock.now();
  const next = nextAttemptAt(attempts, now, { ...BACKCHANNEL_BACKOFF, maxAttempts: limits.maxAttempts });
  await queue.recordFailure(notification.id, now, attempts, error, next);
  return { notification, result: next === undefined ? 'abandoned' : 'retrying', error };
}

export interface DeliveryWorker {
  /** Runs one round now (also what the timer does); resolves when it is done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Polls the queue every `pollMs` in this process. Every process runs one; the claims keep them from sending a row
 * twice, and rows left by a process that died are picked up once their claim lapses (a restart loses nothing).
 */
export function scheduleBackchannelDelivery(deps: DeliveryDeps, hooks: { onOutcome?: (outcome: DeliveryOutcome) => void; onError: (error: unknown) => void }): DeliveryWorker {
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = (): Promise<void> => {
    running ??= deliverDueLogouts(deps)
      .then((outcomes) => outcomes.forEach((outcome) => hooks.onOutcome?.(outcome)), hooks.onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runOnce();
  }, deps.config.backchannelLogout.pollMs);
  timer.unref();
  void runOnce(); // at start: whatever an earlier process left pending
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
