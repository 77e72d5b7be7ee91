// Issue #10 §4: `latchkey serve --workers N` runs N processes on one port and stops them all gracefully.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, killLeftoverProcesses, runLatchkey, startLatchkeyServer } from '../support/latchkey-process.js';

const root = mkdtempSync(join(tmpdir(), 'latchkey-workers-'));
afterAll(async () => {
  await killLeftoverProcesses();
  rmSync(root, { recursive: true, force: true });
});

describe('Issue #10 §4: serve --workers', () => {
  it('serves from two worker processes on one port, one key set, and exits 0 on SIGTERM', async () => {
    assertBuilt();
    const server = await startLatchkeyServer({ dataDir: join(root, 'two'), env: () => ({ LATCHKEY_WORKERS: '2' }) });
    try {
      expect(server.process.stdout).toContain('starting 2 workers');
      const pids = new Set<unknown>();
      const kids = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${server.url}/jwks`, { headers: { connection: 'close' } }); // a new connection each: the primary spreads them
        expect(response.status).toBe(200);
        for (const key of ((await response.json()) as { keys: { kid: string }[] }).keys) kids.add(key.kid);
      }
      for (const line of server.process.logs()) if (line.msg === 'Server listening at http://127.0.0.1:' + server.port) pids.add(line.pid);
      expect(pids.size).toBe(2); // both workers listen
      expect(kids.size).toBe(2); // the primary made the keys once: ES256 access tokens, RS256 id_tokens, not one pair per worker
    } finally {
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('refuses a malformed --workers value as a usage error', async () => {
    const result = await runLatchkey(['serve', '--workers', 'many'], { LATCHKEY_DATA_DIR: join(root, 'bad'), LATCHKEY_PORT: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--workers must be a whole number/);
  });
});
