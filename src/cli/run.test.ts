import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../storage/migrations/index.js';
import { UsageError, type CliIo } from './io.js';
import { parseCommandLine, run } from './run.js';

const root = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshDataDir = (): string => join(root, `data-${++folders}`);

/** Runs the CLI in-process with its streams captured, as `latchkey <argv>` would with `env`. */
async function latchkey(argv: readonly string[], env: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    stdin: Readable.from([]),
    env: { LATCHKEY_LOG_LEVEL: 'silent', ...env },
    interactive: false,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** Exit code 2 and exactly one line on stderr, nothing on stdout: how every usage error must look. */
function expectOneLineUsageError(result: { code: number; stdout: string[]; stderr: string[] }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toEqual([]);
  expect(result.stderr).toHaveLength(1);
  expect(result.stderr[0]).not.toContain('\n');
  expect(result.stderr[0]).toMatch(pattern);
}

describe('CLI: parseCommandLine splits argv into positionals and --flags', () => {
  it('reads positionals and --flag value pairs in any order', () => {
    expect(parseCommandLine(['keys', '--alg', 'RS256', 'rotate'])).toEqual({ positionals: ['keys', 'rotate'], flags: { alg: 'RS256' } });
  });

  it('reads --flag=value, keeping any further "=" in the value, and allows an empty value', () => {
    expect(parseCommandLine(['serve', '--issuer=https://a.example/?x=1', '--host='])).toEqual({
      positionals: ['serve'],
      flags: { issuer: 'https://a.example/?x=1', host: '' },
    });
  });

  it('takes no value for a boolean flag', () => {
    expect(parseCommandLine(['keys', 'list', '--json', 'extra'])).toEqual({ positionals: ['keys', 'list', 'extra'], flags: { json: 'true' } });
  });

  it('joins the values of a repeated flag with a newline', () => {
    expect(parseCommandLine(['x', '--redirect-uri', 'a', '--redirect-uri', 'b']).flags).toEqual({ 'redirect-uri': 'a\nb' });
  });

  it('treats everything after -- as positionals', () => {
    expect(parseCommandLine(['user', '--', '--not-a-flag', 'x'])).toEqual({ positionals: ['user', '--not-a-flag', 'x'], flags: {} });
  });

  it('throws a UsageError when a flag that needs a value ends argv', () => {
    expect(() => parseCommandLine(['serve', '--port'])).toThrow(UsageError);
    expect(() => parseCommandLine(['serve', '--port'])).toThrow('--port needs a value');
  });

  it('reads a value that looks like a flag as the value (--flag takes the next argument)', () => {
    expect(parseCommandLine(['serve', '--host', '--port']).flags).toEqual({ host: '--port' });
  });
});

describe('CLI: a usage error is one line on stderr and exit code 2, never a stack trace', () => {
  it('refuses an unknown command', async () => {
    expectOneLineUsageError(await latchkey(['frobnicate']), /^latchkey: unknown command "frobnicate" \(try latchkey help\)$/);
  });

  it('refuses names inherited from Object.prototype as commands', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expectOneLineUsageError(await latchkey([name]), new RegExp(`^latchkey: unknown command "${name}"`));
    }
  });

  it('refuses an unknown flag instead of ignoring it (a misspelt --port must not start on the default)', async () => {
    expectOneLineUsageError(await latchkey(['serve', '--prot', '8080']), /^latchkey: unknown flag --prot for serve/);
    expectOneLineUsageError(await latchkey(['migrate', '--json']), /^latchkey: unknown flag --json for migrate/);
    expectOneLineUsageError(await latchkey(['keys', 'list', '--algorithm', 'RS256']), /^latchkey: unknown flag --algorithm for keys/);
  });

  it('refuses a flag without its value', async () => {
    expectOneLineUsageError(await latchkey(['serve', '--port']), /^latchkey: --port needs a value$/);
  });

  it('refuses a bad configuration value given as a flag, naming the flag', async () => {
    expectOneLineUsageError(await latchkey(['serve', '--port', '70000']), /^latchkey: --port: must be a whole number from 0 to 65535$/);
    expectOneLineUsageError(await latchkey(['serve', '--issuer', 'http://auth.example.com']), /^latchkey: --issuer: must use https/);
  });

  it('refuses a bad configuration value from the environment, naming the variable', async () => {
    expectOneLineUsageError(await latchkey(['migrate'], { LATCHKEY_DATABASE_URL: 'mysql://x' }), /^latchkey: LATCHKEY_DATABASE_URL: /);
  });

  it('refuses an unknown keys action and an unknown --alg', async () => {
    expectOneLineUsageError(await latchkey(['keys', 'shred']), /^latchkey: usage: latchkey keys list/);
    expectOneLineUsageError(await latchkey(['keys', 'rotate', '--alg', 'HS256'], { LATCHKEY_DATA_DIR: freshDataDir() }), /^latchkey: --alg must be one of ES256, RS256, EdDSA$/);
  });

  it('prints help with exit 0 when asked, and with exit 2 when no command is given', async () => {
    for (const argv of [['help'], ['--help'], ['serve', '--help']]) {
      const result = await latchkey(argv);
      expect(result.code).toBe(0);
      expect(result.stdout.join('\n')).toMatch(/^latchkey: an OAuth 2.0/);
    }
    const bare = await latchkey([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout.join('\n')).toContain('usage: latchkey <command>');
  });
});

describe('CLI: an unreachable database is one line and exit code 1', () => {
  it('names the database, with no stack trace', async () => {
    const port = await closedPort();
    const result = await latchkey(['migrate'], { LATCHKEY_DATABASE_URL: `postgres://latchkey:secret@127.0.0.1:${port}/latchkey` });
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([`latchkey: LATCHKEY_DATABASE_URL: cannot reach the database at postgres://latchkey:***@127.0.0.1:${port}/latchkey: ECONNREFUSED`]);
  });
});

describe('Issue #2 §4/§5: latchkey migrate and latchkey keys', () => {
  it('migrate applies every migration, then reports the database up to date', async () => {
    const dataDir = freshDataDir();
    const first = await latchkey(['migrate', '--data-dir', dataDir]);
    expect(first).toMatchObject({ code: 0, stderr: [] });
    expect(first.stdout).toEqual([`applied: ${Object.keys(migrations).sort().join(', ')}`]);
    const second = await latchkey(['migrate', '--data-dir', dataDir]);
    expect(second.stdout).toEqual([`sqlite:${join(dataDir, 'latchkey.db')} is up to date`]);
  });

  it('keys rotate publishes one pending key per configured algorithm; keys list shows them', async () => {
    const env = { LATCHKEY_DATA_DIR: freshDataDir(), LATCHKEY_KEY_PREPUBLICATION_SECONDS: '600' };
    const rotated = await latchkey(['keys', 'rotate'], env);
    expect(rotated).toMatchObject({ code: 0, stderr: [] });
    expect(rotated.stdout).toHaveLength(2);
    expect(rotated.stdout[0]).toMatch(/^\S+ {2}ES256: published now, signs from \d{4}-\d\d-\d\dT/);
    expect(rotated.stdout[1]).toMatch(/^\S+ {2}RS256: published now, signs from /);

    const listed = await latchkey(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout.join('\n')) as { kid: string; alg: string; state: string }[];
    expect(rows.map((row) => [row.alg, row.state]).sort()).toEqual([['ES256', 'pending'], ['RS256', 'pending']]);
    expect(rows.map((row) => row.kid).sort()).toEqual(rotated.stdout.map((line) => line.split(' ')[0]).sort());
  });

  it('keys rotate --alg rotates only that algorithm', async () => {
    const rotated = await latchkey(['keys', 'rotate', '--alg', 'EdDSA'], { LATCHKEY_DATA_DIR: freshDataDir() });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toEqual([expect.stringMatching(/^\S+ {2}EdDSA: published now/)]);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
