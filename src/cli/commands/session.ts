// `latchkey session list|revoke` and `latchkey grant list|revoke`: an administrator ends login sessions (with
// back-channel logout, OIDC Back-Channel Logout 1.0 §2.7) and revokes grants with every token of them (RFC 7009 §2.1).
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import { endSession, endSessionsOf, revokeGrant } from '../../protocol/sessions/end-session.js';
import { findUserByUsername } from '../../protocol/users/manage-users.js';
import { withContext } from '../context.js';
import { UsageError, type CliIo } from '../io.js';

const SESSION_USAGE = 'usage: latchkey session list --user USERNAME [--json] | latchkey session revoke SESSION_ID | latchkey session revoke --user USERNAME';
const GRANT_USAGE = 'usage: latchkey grant list --user USERNAME [--json] | latchkey grant revoke GRANT_ID';
export const SESSION_FLAGS = ['user', 'json'] as const;

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());

export async function sessionCommand(args: string[], flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [action, id, ...rest] = args;
  if (rest.length > 0) throw new UsageError(SESSION_USAGE);
  const deps = { clock: systemClock, random: systemRandom };
  return withContext(flags, io, async ({ storage }) => {
    if (action === 'list' && id === undefined && flags.user !== undefined) {
      const user = await findUserByUsername(flags.user, storage);
      const sessions = await storage.sessions.listBySubject(user.sub);
      if (flags.json !== undefined) io.stdout(JSON.stringify(sessions.map(({ secretHash: _secret, ...session }) => session)));
      else for (const s of sessions) io.stdout(`${s.id}  signed in ${iso(s.authTime)}  last seen ${iso(s.lastSeenAt)}  ends ${iso(s.expiresAt)}`);
      return 0;
    }
    if (action === 'revoke' && id !== undefined && flags.user === undefined) {
      if (!(await endSession(id, { ...deps, storage }))) {
        io.stderr(`latchkey: no session ${id}`);
        return 1;
      }
      io.stdout(`session ${id} ended`);
      return 0;
    }
    if (action === 'revoke' && id === undefined && flags.user !== undefined) {
      const user = await findUserByUsername(flags.user, storage);
      io.stdout(`${await endSessionsOf(user.sub, { ...deps, storage })} session(s) of ${user.username} ended`);
      return 0;
    }
    throw new UsageError(SESSION_USAGE);
  });
}

export async function grantCommand(args: string[], flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [action, id, ...rest] = args;
  if (rest.length > 0) throw new UsageError(GRANT_USAGE);
  return withContext(flags, io, async ({ storage }) => {
    if (action === 'list' && id === undefined && flags.user !== undefined) {
      const user = await findUserByUsername(flags.user, storage);
      const grants = await storage.grants.listBySubject(user.sub);
      if (flags.json !== undefined) io.stdout(JSON.stringify(grants));
      else for (const g of grants) io.stdout(`${g.id}  ${g.clientId}  ${g.scope.join(' ')}  created ${iso(g.createdAt)}  last used ${iso(g.lastUsedAt)}`);
      return 0;
    }
    if (action === 'revoke' && id !== undefined) {
      // An administrator's revocation keeps the consent: the user may sign in again without being asked.
      if (!(await revokeGrant(id, { storage, clock: systemClock, random: systemRandom }, { forgetConsent: false }))) {
        io.stderr(`latchkey: no active grant ${id}`);
        return 1;
      }
      io.stdout(`grant ${id} revoked with its tokens`);
      return 0;
    }
    throw new UsageError(GRANT_USAGE);
  });
}
