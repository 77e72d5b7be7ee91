// Ending a login session, however it ends (RP-initiated logout, expiry, "sign out everywhere", an administrator): the
// session goes and, in the same transaction, a back-channel logout notification is queued for each client that took
// part in it (OIDC Back-Channel Logout 1.0 §2.7). Consents and grants stay (RP-Initiated Logout §2 ends the session only).
import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { BackchannelLogoutRecord } from '../../storage/records/backchannel-logout.js';
import type { Storage } from '../../storage/storage.js';
import { toAuditRecord, type AuditContext } from '../audit/audit-event.js';
import type { Client } from '../clients/client.js';

export interface EndSessionDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
}

/** Why a session ended and who ended it, for the session.ended audit event (logout, "sign out everywhere"). */
export interface SessionEndAudit {
  readonly context: AuditContext;
  readonly reason: 'logout' | 'sign_out_everywhere' | 'password_changed';
}

/**
 * Ends session `sessionId`; true for the one caller that ended it (racing callers, and a session already gone, get false).
 * With `audit`, a session.ended event is written in the same transaction.
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 */
export async function endSession(sessionId: string, deps: EndSessionDeps, audit?: SessionEndAudit): Promise<boolean> {
  return deps.storage.transaction(async (storage) => {
    const session = await storage.sessions.find(sessionId);
    if (session === undefined || !(await storage.sessions.delete(sessionId))) return false;
    const now = deps.clock.now();
    const notifications: BackchannelLogoutRecord[] = [];
    for (const clientId of await storage.grants.clientIdsBySession(sessionId)) {
      notifications.push(...notificationFor(await storage.clients.find(clientId), session.subject, sessionId, now, deps));
    }
    await storage.backchannelLogouts.enqueue(notifications);
    if (audit !== undefined) {
      const event = { type: 'session.ended', subject: session.subject, details: { reason: audit.reason, backchannel_notifications: notifications.length } } as const;
      await storage.audit.record(toAuditRecord(event, audit.context, deps));
    }
    return true;
  });
}

/** Ends every session of a user ("sign out everywhere", `latchkey session revoke --user`); returns how many ended. */
export async function endSessionsOf(subject: string, deps: EndSessionDeps, audit?: SessionEndAudit): Promise<number> {
  let ended = 0;
  for (const session of await deps.storage.sessions.listBySubject(subject)) if (await endSession(session.id, deps, audit)) ended++;
  return ended;
}

/** The sweeper: ends up to `limit` sessions past their absolute or idle lifetime, notifications included. */
export async function endExpiredSessions(deps: EndSessionDeps & { readonly idleMs: number }, now: number, limit: number): Promise<number> {
  let ended = 0;
  for (const session of await deps.storage.sessions.listExpired(now, now - deps.idleMs, limit)) if (await endSession(session.id, deps)) ended++;
  return ended;
}

/** A notification about `subject` (and `sessionId` when known) for `client`, if it registered a back-channel URI and can take it. */
function notificationFor(client: Client | undefined, subject: string, sessionId: string | undefined, now: number, deps: EndSessionDeps): BackchannelLogoutRecord[] {
  if (client?.metadata.backchannel_logout_uri === undefined) return [];
  if (sessionId === undefined && client.metadata.backchannel_logout_session_required === true) return []; // §2.2: it needs a sid we do not have
  return [{ id: deps.random.id(), clientId: client.clientId, subject, ...(sessionId !== undefined && { sessionId }), createdAt: now, attempts: 0, nextAttemptAt: now }];
}

/**
 * Revokes one grant (connected apps, `latchkey grant revoke`): every token under it (storage.grants.revoke), the
 * consent of its user for its client, and a back-channel logout to the client when it registered one.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeGrant(grantId: string, deps: EndSessionDeps, options: { readonly forgetConsent: boolean }): Promise<boolean> {
  return deps.storage.transaction(async (storage) => {
    const grant = await storage.grants.find(grantId);
    if (grant === undefined || grant.revokedAt !== undefined) return false;
    const now = deps.clock.now();
    await storage.grants.revoke(grantId, now);
    if (grant.subject === undefined) return true;
    if (options.forgetConsent) await storage.consents.forget(grant.subject, grant.clientId);
    await storage.backchannelLogouts.enqueue(notificationFor(await storage.clients.find(grant.clientId), grant.subject, grant.sessionId, now, deps));
    return true;
  });
}

/**
 * "Connected apps": takes back everything a user gave one client: every grant and its tokens, and the consent, with a
 * back-channel logout (sub only: it covers all of the user's sessions at the client). Returns how many grants went.
 */
export async function revokeClientAccess(subject: string, clientId: string, deps: EndSessionDeps, context?: AuditContext): Promise<number> {
  return deps.storage.transaction(async (storage) => {
    const grants = (await storage.grants.listBySubject(subject)).filter((grant) => grant.clientId === clientId);
    const now = deps.clock.now();
    for (const grant of grants) await storage.grants.revoke(grant.id, now);
    await storage.consents.forget(subject, clientId);
    if (grants.length > 0) await storage.backchannelLogouts.enqueue(notificationFor(await storage.clients.find(clientId), subject, undefined, now, deps));
    if (context !== undefined) {
      // Issue 9 item 8: the consent and the tokens are taken back by the user, in this transaction.
      await storage.audit.record(toAuditRecord({ type: 'consent.revoked', clientId, subject }, context, deps));
      if (grants.length > 0) await storage.audit.record(toAuditRecord({ type: 'token.revoked', clientId, subject, details: { revoked_by: 'user', grants: grants.length } }, context, deps));
    }
    return grants.length;
  });
}
