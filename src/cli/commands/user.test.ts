// `latchkey user …` end to end through the CLI dispatcher, on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../protocol/users/password.js';
import { openStorage } from '../../storage/open-storage.js';
import type { CliIo } from '../io.js';
import { run } from '../run.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'latchkey-user-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function cli(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    stdin: Readable.from([Buffer.from(stdin)]),
    env: { LATCHKEY_DATA_DIR: dataDir },
    interactive: false,
  };
  const code = await run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function storedUser(username: string) {
  const storage = await openStorage(`sqlite:${join(dataDir, 'latchkey.db')}`);
  try {
    return await storage.users.findByUsername(username);
  } finally {
    await storage.close();
  }
}

describe('latchkey user', () => {
  it('creates a user with --password-stdin: argon2id hash, a random sub that is not the username', async () => {
    const created = await cli(['user', 'create', 'Alice', '--email', 'alice@example.com', '--email-verified', '--name', 'Alice Liddell', '--password-stdin'], 'correct horse battery\n');
    expect(created).toMatchObject({ code: 0 });
    const user = await storedUser('alice');
    expect(user).toMatchObject({ username: 'alice', email: 'alice@example.com', emailVerified: true, profile: { name: 'Alice Liddell' }, disabled: false });
    expect(user?.sub).not.toContain('alice');
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(user?.passwordHash, 'correct horse battery')).toBe(true);
    expect(created.out).toContain(user?.sub);
  });

  it('refuses a taken username, a short password, and a missing password when stdin is not a terminal', async () => {
    await cli(['user', 'create', 'bob', '--password-stdin'], 'a long enough password');
    expect(await cli(['user', 'create', 'bob', '--password-stdin'], 'another password')).toMatchObject({ code: 2, err: expect.stringContaining('taken') });
    expect(await cli(['user', 'create', 'carol', '--password-stdin'], 'short')).toMatchObject({ code: 2, err: expect.stringContaining('at least 8') });
    expect(await cli(['user', 'create', 'carol'])).toMatchObject({ code: 2, err: expect.stringContaining('--password-stdin') });
  });

  it('lists, shows (never the hash), changes the password, disables, enables and deletes', async () => {
    await cli(['user', 'create', 'dave', '--email', 'dave@example.com', '--password-stdin'], 'first password');
    const list = await cli(['user', 'list', '--json']);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ username: 'dave', has_password: true })]);
    const show = await cli(['user', 'show', 'dave']);
    expect(show.out).toContain('email: dave@example.com');
    expect(show.out).not.toContain('argon2');
    expect((await cli(['user', 'set-password', 'dave', '--password-stdin'], 'second password')).code).toBe(0);
    expect(await verifyPassword((await storedUser('dave'))?.passwordHash, 'second password')).toBe(true);
    expect((await cli(['user', 'disable', 'dave'])).code).toBe(0);
    expect((await storedUser('dave'))?.disabled).toBe(true);
    expect((await cli(['user', 'enable', 'dave'])).code).toBe(0);
    expect((await storedUser('dave'))?.disabled).toBe(false);
    expect((await cli(['user', 'delete', 'dave'])).code).toBe(2);
    expect((await cli(['user', 'delete', 'dave', '--yes'])).code).toBe(0);
    expect(await storedUser('dave')).toBeUndefined();
    expect(await cli(['user', 'show', 'dave'])).toMatchObject({ code: 2, err: expect.stringContaining('no user') });
  });
});
