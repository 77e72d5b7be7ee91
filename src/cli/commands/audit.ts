// `latchkey audit [--since WHEN] [--type TYPE] [--client ID] [--limit N] [--json]`: read the security audit log
// (issue 9 item 8), newest first.
import { AUDIT_EVENT_TYPES } from '../../protocol/audit/audit-event.js';
import type { AuditEventRecord } from '../../storage/storage.js';
import { withContext } from '../context.js';
import { UsageError, type CliIo } from '../io.js';

/** The flags `latchkey audit` reads (besides the configuration flags). */
export const AUDIT_FLAGS = ['since', 'type', 'client', 'limit', 'json'] as const;

const USAGE = 'usage: latchkey audit [--since 2026-01-01T00:00:00Z|24h|30m|7d] [--type TYPE] [--client CLIENT_ID] [--limit N] [--json]';

/** An ISO date-time, or a duration back from now (`30m`, `24h`, `7d`). */
export function parseSince(raw: string, now: number): number {
  const relative = /^(\d{1,6})([smhd])$/.exec(raw);
  if (relative !== null) return now - Number(relative[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
  const at = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at)) throw new UsageError(`--since must be an ISO date-time or a duration such as 24h (${USAGE})`);
  return at;
}

export async function auditCommand(args: readonly string[], flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  if (args.length > 0) throw new UsageError(USAGE);
  const since = flags.since === undefined ? undefined : parseSince(flags.since, Date.now());
  const type = flags.type;
  if (type !== undefined && !(AUDIT_EVENT_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${AUDIT_EVENT_TYPES.join(', ')}`);
  const limit = flags.limit === undefined ? 100 : /^\d{1,5}$/.test(flags.limit) && Number(flags.limit) >= 1 ? Number(flags.limit) : undefined;
  if (limit === undefined) throw new UsageError('--limit must be a whole number from 1 to 99999');
  return withContext(flags, io, async ({ storage }) => {
    const events = await storage.audit.list({ ...(since !== undefined && { since }), ...(type !== undefined && { type }), ...(flags.client !== undefined && { clientId: flags.client }), limit });
    if (flags.json !== undefined) io.stdout(JSON.stringify(events.map(toJson), null, 2));
    else if (events.length === 0) io.stdout('no audit events match');
    else for (const event of events) io.stdout(toLine(event));
    return 0;
  });
}

function toJson(event: AuditEventRecord): Record<string, unknown> {
  return {
    id: event.id,
    at: new Date(event.at).toISOString(),
    type: event.type,
    actor: event.actor,
    client_id: event.clientId,
    subject: event.subject,
    ip: event.ip,
    user_agent: event.userAgent,
    details: event.details,
  };
}

function toLine(event: AuditEventRecord): string {
  const parts = [new Date(event.at).toISOString(), event.type.padEnd(22), event.actor];
  if (event.clientId !== undefined) parts.push(`client=${event.clientId}`);
  if (event.subject !== undefined) parts.push(`subject=${event.subject}`);
  if (event.ip !== undefined) parts.push(`ip=${event.ip}`);
  const details = Object.entries(event.details).map(([name, value]) => `${name}=${String(value)}`);
  return [...parts, ...details].join('  ');
}
