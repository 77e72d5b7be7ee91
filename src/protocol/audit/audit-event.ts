// The security audit log (issue 9 item 8; RFC 9700 §4.14 reuse detection and OWASP ASVS V7 logging): who did what,
// when, from where. Nothing secret goes in: details are an allow-listed, size-bounded set of plain values.
import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { AuditEventRecord, AuditLog } from '../../storage/storage.js';

export type AuditEventType =
  | 'client.created'
  | 'client.updated'
  | 'client.deleted'
  | 'client.secret_rotated'
  | 'registration_token.created'
  | 'key.rotated'
  | 'login.succeeded'
  | 'login.failed'
  | 'consent.given'
  | 'consent.revoked'
  | 'token.issued'
  | 'token.revoked'
  | 'session.ended'
  | 'refresh_token.reuse_detected'
  | 'code.reuse_detected'
  | 'client_assertion.replayed'
  | 'rate_limit.exceeded';

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = [
  'client.created', 'client.updated', 'client.deleted', 'client.secret_rotated', 'registration_token.created', 'key.rotated',
  'login.succeeded', 'login.failed', 'consent.given', 'consent.revoked', 'token.issued', 'token.revoked', 'session.ended',
  'refresh_token.reuse_detected', 'code.reuse_detected', 'client_assertion.replayed', 'rate_limit.exceeded',
];

/** Where a request came from, as the entry point saw it. */
export interface AuditContext {
  /** `admin-api`, `cli`, `registration` (dynamic), `user:SUB`, `client:ID`. */
  readonly actor: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

/** Where a request came from, before the actor is known. */
export type AuditOrigin = Omit<AuditContext, 'actor'>;

export interface AuditDeps {
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: Random;
}

export const USER_AGENT_MAX = 200;
const DETAIL_KEYS_MAX = 16;
const DETAIL_VALUE_MAX = 200;
/** Member names that could carry a credential never reach the table, whatever a caller passes. */
const SECRET_NAME = /secret|password|token|assertion|code|verifier|cookie|authorization|key|hash|sealed/i;

export interface AuditEventInput {
  readonly type: AuditEventType;
  readonly clientId?: string;
  readonly subject?: string;
  readonly details?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** The event as it will be stored: context merged, user agent truncated, details filtered and bounded. */
export function toAuditRecord(event: AuditEventInput, context: AuditContext, deps: Pick<AuditDeps, 'clock' | 'random'>): AuditEventRecord {
  const details: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(event.details ?? {}).slice(0, DETAIL_KEYS_MAX)) {
    if (value === undefined || SECRET_NAME.test(name)) continue;
    details[name] = typeof value === 'string' ? value.slice(0, DETAIL_VALUE_MAX) : value;
  }
  const at = deps.clock.now();
  return {
    id: `${at.toString(36).padStart(9, '0')}-${deps.random.token(12)}`, // sorts by time, unique across processes
    at,
    type: event.type,
    actor: context.actor.slice(0, 255),
    ...(event.clientId !== undefined && { clientId: event.clientId }),
    ...(event.subject !== undefined && { subject: event.subject }),
    ...(context.ip !== undefined && { ip: context.ip.slice(0, 64) }),
    ...(context.userAgent !== undefined && { userAgent: printable(context.userAgent).slice(0, USER_AGENT_MAX) }),
    details,
  };
}

/**
 * Writes one audit event. The token, login, consent and refresh modules call this with their context.
 * A failure to write propagates: an action that must be audited is not reported as done without its record.
 */
export async function recordAuditEvent(event: AuditEventInput, context: AuditContext, deps: AuditDeps): Promise<void> {
  await deps.audit.record(toAuditRecord(event, context, deps));
}

function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
