// The CLI dispatcher: argv in, exit code out. Failures print one line, never a stack trace.
import { CONFIG_FLAGS, ConfigError } from '../config/load-config.js';
import { OAuthError } from '../protocol/errors.js';
import { StorageUnavailableError } from '../storage/open-storage.js';
import { AUDIT_FLAGS, auditCommand } from './commands/audit.js';
import { CLIENT_FLAGS, clientCommand } from './commands/client.js';
import { gcCommand } from './commands/gc.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { REGISTRATION_TOKEN_FLAGS, registrationTokenCommand } from './commands/registration-token.js';
import { SERVE_FLAGS, serveCommand } from './commands/serve.js';
import { grantCommand, SESSION_FLAGS, sessionCommand } from './commands/session.js';
import { userCommand } from './commands/user.js';
import { UsageError, type CliIo } from './io.js';

const HELP = `latchkey: an OAuth 2.0 / OpenID Connect authorization server

usage: latchkey <command> [options]

  serve [--workers N|auto]  run the server (default: SQLite in ./data, http://localhost:9000); N processes share the port
  migrate                   apply database migrations
  keys list | keys rotate   signing keys and their rollover
  client create|list|show|update|delete|rotate-secret   registered clients
  registration-token create [--expires-in S]           an initial access token for POST /register
  audit [--since 24h] [--type T] [--client ID] [--json] the security audit log, newest first
  gc [--json]               delete expired tokens, grants and replay records now
  user create|list|show|set-password|disable|enable|delete   people who sign in
  session list --user U | session revoke ID | session revoke --user U   login sessions (with back-channel logout)
  grant list --user U | grant revoke ID                                 what users allowed clients, with its tokens

configuration flags (also LATCHKEY_* environment variables or --config FILE):
  --issuer URL  --port N  --host H  --data-dir DIR  --database-url URL  --registration off|token|open`;

type Command = (args: string[], flags: Record<string, string | undefined>, io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: (_args, flags, io) => serveCommand(flags, io),
  migrate: (_args, flags, io) => migrateCommand(flags, io),
  keys: (args, flags, io) => keysCommand(args, flags, io),
  client: (args, flags, io) => clientCommand(args, flags, io),
  'registration-token': (args, flags, io) => registrationTokenCommand(args, flags, io),
  audit: (args, flags, io) => auditCommand(args, flags, io),
  gc: (_args, flags, io) => gcCommand(flags, io),
  user: (args, flags, io) => userCommand(args, flags, io),
  session: (args, flags, io) => sessionCommand(args, flags, io),
  grant: (args, flags, io) => grantCommand(args, flags, io),
};

/** The flags each built-in command reads besides CONFIG_FLAGS: any other is a typo, refused rather than ignored. */
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  serve: SERVE_FLAGS,
  migrate: [],
  keys: ['alg', 'json'],
  client: CLIENT_FLAGS,
  'registration-token': REGISTRATION_TOKEN_FLAGS,
  audit: AUDIT_FLAGS,
  gc: ['json'],
  session: SESSION_FLAGS,
  grant: SESSION_FLAGS,
  user: ['email', 'email-verified', 'name', 'given-name', 'family-name', 'password-stdin', 'json', 'yes'],
};

/** Flags that take no value. Every other --flag takes the next argument (or --flag=value). */
const BOOLEAN_FLAGS = new Set(['json', 'public', 'help', 'password-stdin', 'yes', 'all', 'email-verified']);

/** Splits argv into positionals and --flags; a repeated flag's values are joined with "\n". */
export function parseCommandLine(argv: readonly string[]): { positionals: string[]; flags: Record<string, string | undefined> } {
  const positionals: string[] = [];
  const flags: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(name)) value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    flags[name] = flags[name] === undefined ? value : `${flags[name]}\n${value}`;
  }
  return { positionals, flags };
}

export async function run(argv: readonly string[], io: CliIo, extra: Record<string, Command> = {}): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    io.stderr(`latchkey: ${(error as Error).message}`);
    return 2;
  }
  const { positionals, flags } = parsed;
  const [name, ...args] = positionals;
  if (name === undefined || name === 'help' || flags.help !== undefined) {
    io.stdout(HELP);
    return name === undefined && flags.help === undefined ? 2 : 0;
  }
  // Own properties only: `latchkey constructor` must not find Object.prototype.constructor.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : Object.hasOwn(extra, name) ? extra[name] : undefined;
  if (command === undefined) {
    io.stderr(`latchkey: unknown command "${name}" (try latchkey help)`);
    return 2;
  }
  const ownFlags = Object.hasOwn(COMMAND_FLAGS, name) ? COMMAND_FLAGS[name] : undefined; // commands passed in `extra` check their own
  const unknownFlag = ownFlags === undefined ? undefined : Object.keys(flags).find((flag) => !CONFIG_FLAGS.includes(flag) && !ownFlags.includes(flag));
  if (unknownFlag !== undefined) {
    io.stderr(`latchkey: unknown flag --${unknownFlag} for ${name} (try latchkey help)`);
    return 2;
  }
  try {
    return await command(args, flags, io);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.stderr(`latchkey: ${error.message}`);
      return 2;
    }
    if (error instanceof OAuthError) {
      io.stderr(`latchkey: ${error.code}: ${error.description ?? ''}`);
      return 2;
    }
    if (error instanceof StorageUnavailableError) {
      io.stderr(`latchkey: LATCHKEY_DATABASE_URL: ${error.message}`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      io.stderr(`latchkey: cannot listen: ${(error as Error).message}`);
      return 1;
    }
    io.stderr(`latchkey: unexpected error: ${(error as Error).message ?? String(error)}`);
    if (io.env.LATCHKEY_DEBUG === '1') io.stderr(String((error as Error).stack));
    return 1;
  }
}
