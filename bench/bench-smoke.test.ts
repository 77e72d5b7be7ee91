// CI's only benchmark run: `npm run bench -- --smoke` must work end to end and write its JSON. A benchmark, not a
// test: no figure is asserted, only that every server started, answered and was measured.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'latchkey-bench-smoke-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('Issue #10 §6: npm run bench -- --smoke', () => {
  it('runs the harness against Latchkey, the baseline and the peer, exits 0 and writes JSON', { timeout: 90_000 }, () => {
    const out = join(folder, 'smoke.json');
    const result = spawnSync('npm', ['run', 'bench', '--', '--smoke', '--peer', 'oidc-provider', '--out', out], { cwd: root, encoding: 'utf8', timeout: 80_000 });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(existsSync(out)).toBe(true);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { settings: { smoke: boolean }; rows: { scenario: string; target: string; result?: { requests: number }; skipped?: string }[] };
    expect(report.settings.smoke).toBe(true);
    for (const target of ['baseline', 'latchkey', 'peer']) {
      const rows = report.rows.filter((row) => row.target === target);
      expect(rows.length, target).toBeGreaterThan(0);
      for (const row of rows) expect(row.result?.requests, `${row.scenario} on ${target}: ${row.skipped ?? ''}`).toBeGreaterThan(0);
    }
  });
});
