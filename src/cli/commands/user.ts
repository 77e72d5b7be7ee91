// `latchkey user create|list|show|set-password|disable|enable|delete`: the people who sign in (OIDC Core §5.1 claims).
import type { UserRecord } from '../../storage/records/user.js';
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import { createUser, deleteUser, findUserByUsername, setDisabled, setPassword } from '../../protocol/users/manage-users.js';
import { withContext } from '../context.js';
import { UsageError, type CliIo } from '../io.js';
import { readNewPassword } from '../read-password.js';

const USAGE = `usage:
  latchkey user create <username> [--email ADDRESS] [--email-verified] [--name "FULL NAME"] [--given-name X] [--family-name X] [--password-stdin]
  latchkey user list [--json]
  latchkey user show <username> [--json]
  latchkey user set-password <username> [--password-stdin]
  latchkey user disable <username> | latchkey user enable <username>
  latchkey user delete <username> --yes`;

/** What is safe to print: everything but the password hash. */
const describe = (user: UserRecord): Record<string, unknown> => ({
  sub: user.sub,
  username: user.username,
  email: user.email,
  email_verified: user.emailVerified,
  ...user.profile,
  has_password: user.passwordHash !== undefined,
  disabled: user.disabled,
  created_at: new Date(user.createdAt).toISOString(),
  updated_at: new Date(user.updatedAt).toISOString(),
});

export async function userCommand(args: readonly string[], flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [action, username, ...rest] = args;
  if (rest.length > 0) throw new UsageError(USAGE);
  const needName = (): string => {
    if (username === undefined) throw new UsageError(USAGE);
    return username;
  };
  const deps = <T extends object>(ctx: T) => ({ ...ctx, clock: systemClock, random: systemRandom });

  switch (action) {
    case 'create': {
      const name = needName();
      const password = await readNewPassword(flags, io);
      return withContext(flags, io, async (ctx) => {
        const profile = {
          ...(flags.name !== undefined && { name: flags.name }),
          ...(flags['given-name'] !== undefined && { given_name: flags['given-name'] }),
          ...(flags['family-name'] !== undefined && { family_name: flags['family-name'] }),
        };
        const user = await createUser(
          { username: name, ...(flags.email !== undefined && { email: flags.email }), emailVerified: flags['email-verified'] !== undefined, profile, password },
          deps(ctx),
        );
        io.stdout(flags.json !== undefined ? JSON.stringify(describe(user), null, 2) : `created user ${user.username} (sub ${user.sub})`);
        return 0;
      });
    }
    case 'list':
      return withContext(flags, io, async ({ storage }) => {
        const users: UserRecord[] = [];
        for (let page = await storage.users.list({ limit: 500 }); page.length > 0; page = await storage.users.list({ afterUsername: page.at(-1)?.username, limit: 500 })) {
          users.push(...page);
        }
        if (flags.json !== undefined) io.stdout(JSON.stringify(users.map(describe), null, 2));
        else for (const user of users) io.stdout(`${user.username.padEnd(24)} ${(user.email ?? '-').padEnd(32)} ${user.disabled ? 'disabled' : 'active  '} ${user.sub}`);
        return 0;
      });
    case 'show':
      return withContext(flags, io, async ({ storage }) => {
        const user = await findUserByUsername(needName(), storage);
        const shown = describe(user);
        if (flags.json !== undefined) io.stdout(JSON.stringify(shown, null, 2));
        else for (const [key, value] of Object.entries(shown)) if (value !== undefined) io.stdout(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
        return 0;
      });
    case 'set-password': {
      const name = needName();
      const password = await readNewPassword(flags, io);
      return withContext(flags, io, async (ctx) => {
        const user = await setPassword(name, password, deps(ctx));
        io.stdout(`password of ${user.username} changed; their sessions have ended`);
        return 0;
      });
    }
    case 'disable':
    case 'enable':
      return withContext(flags, io, async (ctx) => {
        const user = await setDisabled(needName(), action === 'disable', deps(ctx));
        io.stdout(action === 'disable' ? `disabled ${user.username}; their sessions have ended` : `enabled ${user.username}`);
        return 0;
      });
    case 'delete': {
      const name = needName();
      if (flags.yes === undefined) throw new UsageError(`deleting ${name} cannot be undone: add --yes`);
      return withContext(flags, io, async (ctx) => {
        const user = await deleteUser(name, deps(ctx));
        io.stdout(`deleted ${user.username}`);
        return 0;
      });
    }
    default:
      throw new UsageError(USAGE);
  }
}
