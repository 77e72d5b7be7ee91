// What the clean-up sweeps: one entry per table of expiring rows (DESIGN.md "Secrets at rest" keeps them small).
import type { Storage } from '../../storage/storage.js';
import { endExpiredSessions, type EndSessionDeps } from '../sessions/end-session.js';

export interface Sweeper {
  /** The table (or kind of record) it empties, for logs and `latchkey gc`. */
  readonly name: string;
  /** Deletes up to `limit` rows expired before `now`; returns how many went. One bounded statement. */
  sweep(now: number, limit: number): Promise<number>;
}

/**
 * Every sweeper, in order. Add a line per new kind of expiring record (authorization codes, sessions, PAR requests);
 * put those that reference grants before `grants`, whose deletion cascades to what is left under them.
 */
/** Finished back-channel logout notifications are kept this long (for `latchkey session` and debugging). */
const FINISHED_NOTIFICATIONS_KEPT_MS = 86_400_000;

/**
 * With `sessions`, expired sessions are ended the way logout ends them (back-channel notifications included, OIDC
 * Back-Channel Logout §2.7) and idle ones too; without, they are deleted.
 */
export function expirySweepers(storage: Storage, sessions?: Omit<EndSessionDeps, 'storage'> & { readonly idleMs: number }): Sweeper[] {
  return [
    { name: 'access_tokens', sweep: (now, limit) => storage.accessTokens.deleteExpired(now, limit) },
    { name: 'refresh_tokens', sweep: (now, limit) => storage.refreshTokens.deleteExpired(now, limit) },
    { name: 'authorization_codes', sweep: (now, limit) => storage.authorizationCodes.deleteExpired(now, limit) },
    { name: 'pushed_authorization_requests', sweep: (now, limit) => storage.pushedAuthorizationRequests.deleteExpired(now, limit) },
    { name: 'device_codes', sweep: (now, limit) => storage.deviceCodes.deleteExpired(now, limit) },
    { name: 'interactions', sweep: (now, limit) => storage.interactions.deleteExpired(now, limit) },
    {
      name: 'sessions',
      sweep: (now, limit) => (sessions === undefined ? storage.sessions.deleteExpired(now, limit) : endExpiredSessions({ ...sessions, storage }, now, limit)),
    },
    { name: 'backchannel_logouts', sweep: (now, limit) => storage.backchannelLogouts.deleteFinished(now - FINISHED_NOTIFICATIONS_KEPT_MS, limit) },
    { name: 'grants', sweep: (now, limit) => storage.grants.deleteExpired(now, limit) },
    { name: 'replay_records', sweep: (now, limit) => storage.replay.deleteExpired(now, limit) },
  ];
}
