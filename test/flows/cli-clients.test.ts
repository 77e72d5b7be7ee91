// The admin CLI end to end: the built `latchkey` executable (node dist/cli/main.js) against a data folder of its own.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecretMatches } from '../../src/protocol/clients/client-secrets.js';
import { openStorage } from '../../src/storage/open-storage.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const main = join(root, 'dist/cli/main.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('latchkey client … (the built CLI)', () => {
  let dataDir: string;
  const cli = async (...args: string[]): Promise<Result> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'silent' }, cwd: dataDir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  };
  const secretWorks = async (clientId: string, secret: string): Promise<boolean> => {
    const storage = await openStorage(`sqlite:${join(dataDir, 'latchkey.db')}`, { poolSize: 1 });
    try {
      const client = await storage.clients.find(clientId);
      return client !== undefined && clientSecretMatches(client, secret, Date.now());
    } finally {
      await storage.close();
    }
  };

  beforeAll(async () => {
    // `npm run build` comes first in CI; build here too when dist is missing or older than the sources.
    const built = existsSync(main) ? statSync(main).mtimeMs : 0;
    if (built < statSync(join(root, 'src/cli/commands/client.ts')).mtimeMs) await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  }, 120_000);
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('create --json prints the client with its id and, once, its secret; list shows it; rotate-secret ends the old secret', async () => {
    const created = await cli('client', 'create', '--name', 'demo', '--redirect-uri', 'https://app.example/cb', '--json');
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(client).toMatchObject({ client_name: 'demo', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'] });
    const clientId = client.client_id as string;
    const secret = client.client_secret as string;
    expect(clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const list = await cli('client', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(clientId);
    expect(list.stdout).toContain('demo');
    const listed = JSON.parse((await cli('client', 'list', '--json')).stdout) as Record<string, unknown>[];
    expect(listed.map((c) => c.client_id)).toEqual([clientId]);
    expect(listed[0]?.client_secret).toBeUndefined(); // shown once, at creation

    const shown = await cli('client', 'show', clientId, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: clientId, client_name: 'demo' });
    expect(shown.stdout).not.toContain(secret);

    // With a grace period the old secret still works; after a rotation without grace it does not.
    const graced = JSON.parse((await cli('client', 'rotate-secret', clientId, '--grace', '3600', '--json')).stdout) as Record<string, unknown>;
    expect(typeof graced.previous_secret_expires_at).toBe('number');
    expect(await secretWorks(clientId, secret)).toBe(true);
    expect(await secretWorks(clientId, graced.client_secret as string)).toBe(true);

    const rotated = await cli('client', 'rotate-secret', clientId);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('the previous secret no longer works');
    const newSecret = /client_secret: (\S+)/.exec(rotated.stdout)?.[1] as string;
    expect(await secretWorks(clientId, graced.client_secret as string)).toBe(false);
    expect(await secretWorks(clientId, secret)).toBe(false);
    expect(await secretWorks(clientId, newSecret)).toBe(true);
  });

  it('create takes repeatable flags, --public, --access-token-format and --from-file', async () => {
    const native = JSON.parse(
      (await cli('client', 'create', '--name', 'native', '--public', '--redirect-uri', 'com.example.app:/cb', '--redirect-uri', 'http://127.0.0.1/cb', '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--scope', 'openid profile', '--access-token-format', 'opaque', '--json')).stdout,
    ) as Record<string, unknown>;
    expect(native).toMatchObject({ token_endpoint_auth_method: 'none', redirect_uris: ['com.example.app:/cb', 'http://127.0.0.1/cb'], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile', policy: { access_token_format: 'opaque' } });
    expect(native.client_secret).toBeUndefined();

    const file = join(dataDir, 'client.json');
    writeFileSync(file, JSON.stringify({ client_name: 'from file', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', policy: { skip_consent: true } }));
    const fromFile = JSON.parse((await cli('client', 'create', '--from-file', file, '--json')).stdout) as Record<string, unknown>;
    expect(fromFile).toMatchObject({ client_name: 'from file', grant_types: ['client_credentials'], policy: { skip_consent: true } });
    expect(fromFile.client_secret).toBeDefined();

    const updated = await cli('client', 'update', fromFile.client_id as string, '--name', 'renamed', '--json');
    expect(JSON.parse(updated.stdout)).toMatchObject({ client_name: 'renamed', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' });

    expect((await cli('client', 'delete', fromFile.client_id as string)).code).toBe(0);
    const missing = await cli('client', 'show', fromFile.client_id as string);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not_found');
  });

  it('invalid metadata exits 2 with the named RFC error and stores nothing', async () => {
    const before = JSON.parse((await cli('client', 'list', '--json')).stdout) as unknown[];
    const result = await cli('client', 'create', '--name', 'bad', '--redirect-uri', 'http://localhost:3000/cb');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid_redirect_uri: redirect_uris');
    expect(JSON.parse((await cli('client', 'list', '--json')).stdout)).toHaveLength(before.length);
    expect((await cli('client', 'create', '--public', '--auth-method', 'client_secret_basic')).code).toBe(2);
    const typo = await cli('client', 'create', '--nmae', 'x', '--redirect-uri', 'https://app.example/cb');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown flag --nmae');
  });

  it('registration-token create --json prints an initial access token shown once', async () => {
    const result = await cli('registration-token', 'create', '--expires-in', '600', '--json');
    expect(result.code).toBe(0);
    const { initial_access_token: token, expires_at: expiresAt } = JSON.parse(result.stdout) as { initial_access_token: string; expires_at: number };
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000 + 500);
    expect(result.stderr).toContain('LATCHKEY_REGISTRATION=token'); // a hint: registration is off here
  });
});
