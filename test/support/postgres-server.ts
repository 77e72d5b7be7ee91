// A throwaway PostgreSQL server for the test run: initdb + pg_ctl in a temp folder, trust auth, no fsync.
// Runs in vitest's main process (see global-setup.ts); test files use postgres.ts instead.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** What globalSetup hands to test files: the admin URL, or why there is no server. */
export type PostgresStatus = { ok: true; adminUrl: string } | { ok: false; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresStatus;
  }
}

export interface RunningPostgres {
  readonly adminUrl: string;
  readonly startupMs: number;
  /** Stops the server but keeps its data directory and port (`pg_ctl stop -m <mode>`): a fault, for fault tests. */
  halt(mode: 'immediate' | 'fast'): Promise<void>;
  /** Starts the halted server again on the same port and data directory. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres'; // the role name, independent of the OS user that owns the files

/**
 * The folder holding initdb and pg_ctl: $LATCHKEY_PG_BIN_DIR if set (and nothing else), else
 * the first PATH entry with both, else the highest /usr/lib/postgresql/<version>/bin.
 */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const hasBoth = (dir: string) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'pg_ctl'));
  const forced = env['LATCHKEY_PG_BIN_DIR'];
  if (forced !== undefined && forced !== '') return hasBoth(forced) ? forced : undefined;

  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && hasBoth(dir)) return dir;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(root, version, 'bin')).find(hasBoth);
}

/** Why no server can be started here, or undefined if the binaries are present. */
export function missingPostgresReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (findPostgresBinDir(env) !== undefined) return undefined;
  const forced = env['LATCHKEY_PG_BIN_DIR'];
  return forced
    ? `initdb/pg_ctl not found in LATCHKEY_PG_BIN_DIR=${forced}`
    : 'initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)';
}

/** Starts a fresh server on a free 127.0.0.1 port; `stop()` shuts it down and deletes its folder. */
export async function startPostgres(binDir: string): Promise<RunningPostgres> {
  const started = performance.now();
  // PostgreSQL refuses to run as root, so as root the files belong to, and the binaries run as, another user.
  const osUser = process.getuid?.() === 0 ? serverUser() : undefined;
  const home = await mkdtemp(join(tmpdir(), 'latchkey-pg-'));
  const dataDir = join(home, 'data');
  const log = join(home, 'postgres.log');
  const asServerUser = async (file: string, args: string[]) => {
    const [command, argv] = serverUserCommand(osUser, file, args);
    // cwd: the server user may not be allowed into the repo folder.
    return run(command, argv, { cwd: home, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  };

  try {
    if (osUser) await chown(home, osUser.uid, osUser.gid);
    await asServerUser(join(binDir, 'initdb'), [
      '-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    const conf = join(dataDir, 'postgresql.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8') + serverSettings(home));

    let lastError: unknown;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const port = await freePort();
      const logBefore = readLog(log).length;
      try {
        await asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', log, '-w', '-t', '30', '-o', `-p ${port}`, 'start']);
      } catch (error) {
        lastError = error;
        // Another process took the port between our probe and the server's bind: try another one.
        if (readLog(log).slice(logBefore).includes('could not bind')) continue;
        throw error;
      }
      const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
      // vitest skips globalSetup teardown on Ctrl-C but still exits through process.exit: stop the server there too.
      const stopOnExit = () => {
        const [command, argv] = serverUserCommand(osUser, join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        try {
          execFileSync(command, argv, { cwd: home, stdio: 'ignore', timeout: 10_000 });
        } catch {
          // already stopped
        }
        rmSync(home, { recursive: true, force: true });
      };
      process.once('exit', stopOnExit);
      const stop = async () => {
        await asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        rmSync(home, { recursive: true, force: true });
        // Only now: if the process exits while pg_ctl runs, the exit hook still cleans up.
        process.off('exit', stopOnExit);
      };
      const halt = async (mode: 'immediate' | 'fast') => {
        await asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
      };
      const resume = async () => {
        await asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', log, '-w', '-t', '30', '-o', `-p ${port}`, 'start']);
      };
      return { adminUrl, startupMs: Math.round(performance.now() - started), halt, resume, stop };
    }
    throw lastError;
  } catch (error) {
    const detail = [describeExecError(error), readLog(log)].filter(Boolean).join('\n');
    const lines = detail.split('\n').filter((line) => line.trim() !== '');
    const summary = lines.find((line) => /\b(FATAL|PANIC):/.test(line)) ?? lines.at(-1) ?? 'unknown error';
    // pg_ctl may have given up waiting on a server that is still coming up.
    await asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
    // First line: a one-line summary (used as the skip reason); then the full output and server log.
    throw new Error(`${summary} (from ${binDir}${osUser ? ` as ${osUser.name}` : ''})\n${detail}`, { cause: error });
  }
}

function serverSettings(socketDir: string): string {
  return [
    '',
    '# latchkey test server',
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    'fsync = off', // the data is thrown away after the run
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 300', // parallel test files each open a pool
    "log_min_messages = 'warning'",
    '',
  ].join('\n');
}

function serverUserCommand(osUser: { name: string } | undefined, file: string, args: string[]): [string, string[]] {
  return osUser ? ['runuser', ['-u', osUser.name, '--', file, ...args]] : [file, args];
}

function serverUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => fields[0] === name);
    if (entry?.[2] !== undefined && entry[3] !== undefined) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error(`running as ${userInfo().username}, PostgreSQL needs a non-root user: neither postgres nor nobody exists`);
}


function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function describeExecError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  // execFile's message is "Command failed: <argv>\n<stderr>"; stdout is not in it.
  const { message, stdout } = error as { message?: string; stdout?: string };
  return [message, stdout].filter((part) => part !== undefined && part.trim() !== '').join('\n').trim();
}
