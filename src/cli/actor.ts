// The audit log's "who" for a command run from a shell: the operating-system user (issue 9 item 8).
import { userInfo } from 'node:os';
import type { AuditContext } from '../protocol/audit/audit-event.js';

export function cliContext(): AuditContext {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): the command is still audited, as cli:unknown
  }
  return { actor: `cli:${user}` };
}
