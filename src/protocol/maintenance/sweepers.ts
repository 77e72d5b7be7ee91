// What the clean-up sweeps: one entry per table of expiring rows (DESIGN.md "Secrets at rest" keeps them small).
import type { Storage } from '../../storage/storage.js';

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
export function expirySweepers(storage: Storage): Sweeper[] {
  return [
    { name: 'access_tokens', sweep: (now, limit) => storage.accessTokens.deleteExpired(now, limit) },
    { name: 'refresh_tokens', sweep: (now, limit) => storage.refreshTokens.deleteExpired(now, limit) },
    { name: 'authorization_codes', sweep: (now, limit) => storage.authorizationCodes.deleteExpired(now, limit) },
    { name: 'pushed_authorization_requests', sweep: (now, limit) => storage.pushedAuthorizationRequests.deleteExpired(now, limit) },
    { name: 'device_codes', sweep: (now, limit) => storage.deviceCodes.deleteExpired(now, limit) },
    { name: 'interactions', sweep: (now, limit) => storage.interactions.deleteExpired(now, limit) },
    { name: 'sessions', sweep: (now, limit) => storage.sessions.deleteExpired(now, limit) },
    { name: 'grants', sweep: (now, limit) => storage.grants.deleteExpired(now, limit) },
    { name: 'replay_records', sweep: (now, limit) => storage.replay.deleteExpired(now, limit) },
  ];
}
