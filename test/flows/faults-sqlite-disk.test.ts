// Issue #9 §7: a read-only or full disk under a SQLite file gives a clear error, not corruption. Real faults, not
// simulated: the data directory is a small tmpfs this test mounts (root only: CI runs as root) and remounts read-only,
// or fills; a read-only file is tested as an unprivileged user (as root, chmod would not stop a write).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../../src/lib/master-key.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { HIGH_RATE_LIMITS, postForm, request, seedClient, sleep, startLoad, tally, waitUntil, type Outcome, type SeededClient } from '../support/fault-load.js';
import { killLeftoverProcesses, LATCHKEY_MAIN, latchkeyEnv, startLatchkeyServer, type LatchkeyServer } from '../support/latchkey-process.js';

const NOBODY = { uid: 65534, gid: 65534 };

/** Why the disks these tests need cannot be made here (not root, no CAP_SYS_ADMIN, no loop devices), or undefined. */
function disksUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs or a loop device needs root';
  try {
    mountTmpfs(1024 * 1024).unmount();
    mountExt4(8 * 1024 * 1024).unmount();
    return undefined;
  } catch (error) {
    return `cannot mount a test file system: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim().split('\n')[0]}`;
  }
}

/** `describe` where the test disks can be mounted; otherwise skipped, or failed under LATCHKEY_REQUIRE_ALL=1. */
function describeWithDisks(name: string, fn: () => void): void {
  const reason = disksUnavailable();
  if (reason === undefined) {
    describe(name, fn);
    return;
  }
  if (process.env['LATCHKEY_REQUIRE_ALL'] === '1') {
    describe(name, () => it('can mount test file systems', () => expect.fail(`LATCHKEY_REQUIRE_ALL=1 but ${reason}`)));
    return;
  }
  console.warn(`[faults] skipping "${name}": ${reason}`);
  describe.skip(`${name} [skipped: ${reason}]`, fn);
}

interface TestDisk {
  readonly dir: string;
  unmount(): void;
}

/** A small tmpfs at a fresh directory: fills up for real; remountable read-only while no file on it is open. */
function mountTmpfs(sizeBytes: number): TestDisk & { remount(mode: 'ro' | 'rw'): void } {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0777`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    remount: (mode) => execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' }),
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A small ext4 file system on a loop device, mounted errors=remount-ro. `failNow()` triggers an ext4 error through
 * sysfs, and the kernel turns the file system read-only under the open files, as it does when a real disk fails:
 * unlike `mount -o remount,ro`, which refuses while a file is open for writing.
 */
function mountExt4(sizeBytes: number): TestDisk & { failNow(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-ext4-'));
  const image = `${dir}.img`;
  try {
    execFileSync('truncate', ['-s', String(sizeBytes), image], { stdio: 'pipe' });
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, dir], { stdio: 'pipe' });
    execFileSync('chmod', ['0777', dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(image, { force: true });
    throw error;
  }
  const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' }).trim();
  return {
    dir,
    failNow: () => writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, 'latchkey fault test'),
    unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
      rmSync(image, { force: true });
    },
  };
}

/** Runs `latchkey <args>` to completion, optionally as another user. */
function runLatchkeyAs(args: readonly string[], env: Record<string, string>, user?: { uid: number; gid: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [LATCHKEY_MAIN, ...args], { env: latchkeyEnv(env), cwd: tmpdir(), timeout: 45_000, ...user }, (error, stdout, stderr) => {
      resolve({ code: child.exitCode ?? (error as { code?: number } | null)?.code ?? null, stdout, stderr });
    });
  });
}

function integrityCheck(file: string): unknown {
  const database = new SQLite(file, { readonly: true });
  try {
    return database.pragma('integrity_check', { simple: true });
  } finally {
    database.close();
  }
}

const masterKey = MasterKey.generate().encoded; // in the environment: the data directory may be unreadable or full

/** Creates a migrated database with signing keys (a first `latchkey serve` run) and one client in `dataDir`. */
async function prepareDatabase(dataDir: string): Promise<SeededClient> {
  const storage = await openStorage(`sqlite:${join(dataDir, 'latchkey.db')}`, { poolSize: 1 });
  const client = await seedClient(storage);
  await storage.close();
  const first = await startLatchkeyServer({ dataDir, env: () => ({ LATCHKEY_MASTER_KEY: masterKey }) }); // creates the signing keys
  expect((await first.stop()).code).toBe(0);
  return client;
}

describeWithDisks('Issue #9 §7: a read-only SQLite database', () => {
  afterAll(() => killLeftoverProcesses());

  const cases: { name: string; make(dir: string, file: string, disk: ReturnType<typeof mountTmpfs>): void; user?: typeof NOBODY; says: RegExp }[] = [
    {
      name: 'the file is read-only for the server user',
      make: (dir, file) => {
        chownSync(dir, NOBODY.uid, NOBODY.gid);
        chownSync(file, NOBODY.uid, NOBODY.gid);
        chmodSync(file, 0o444);
      },
      user: NOBODY,
      says: /read-only/,
    },
    {
      name: 'its directory is read-only for the server user (no room for the -wal and -shm files)',
      make: (dir, file) => {
        chownSync(file, NOBODY.uid, NOBODY.gid);
        chmodSync(dir, 0o555);
      },
      user: NOBODY,
      says: /directory/,
    },
    { name: 'the file system is mounted read-only', make: (_dir, _file, disk) => disk.remount('ro'), says: /read-only file system/ },
  ];
  for (const { name, make, user, says } of cases) {
    it(`Issue #9 §7: start-up on a read-only database exits non-zero with one clear line naming the file: ${name}`, async () => {
      const disk = mountTmpfs(16 * 1024 * 1024);
      try {
        const dataDir = join(disk.dir, 'data');
        mkdirSync(dataDir);
        await prepareDatabase(dataDir);
        const file = join(dataDir, 'latchkey.db');
        make(dataDir, file, disk);
        if (user !== undefined) {
          // The set-up itself, not the finding: the server user must reach this Node binary and dist/ (a Node under a
          // 0700 temp directory cannot run as nobody, and would exit with an empty stderr).
          const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(LATCHKEY_MAIN)})`], { ...user, encoding: 'utf8' });
          expect(probe.status, `uid ${user.uid} cannot run ${process.execPath} or read ${LATCHKEY_MAIN}: ${probe.error?.message ?? probe.stderr}`).toBe(0);
        }
        const result = await runLatchkeyAs(['serve', '--port', '0', '--data-dir', dataDir], { LATCHKEY_MASTER_KEY: masterKey }, user);
        expect(result.code).not.toBe(0);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(file);
        expect(lines[0]).toMatch(says);
        expect(result.stdout).not.toContain('listening');
        disk.remount('rw');
        expect(integrityCheck(file)).toBe('ok');
      } finally {
        disk.unmount();
      }
    });
  }
});

/** A server on `disk` with one client, and helpers to load it and to check the tokens it issued. */
async function serveOn(disk: TestDisk) {
  const dataDir = join(disk.dir, 'data');
  mkdirSync(dataDir);
  const client = await prepareDatabase(dataDir);
  const env = () => ({ LATCHKEY_MASTER_KEY: masterKey, LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_RATE_LIMITS: HIGH_RATE_LIMITS });
  let server = await startLatchkeyServer({ dataDir, env });
  const earlier: string[] = []; // access tokens issued before a fault: must outlive it
  const issue = () => postForm('token', `${server.url}/token`, client, { grant_type: 'client_credentials', scope: 'read' });
  return {
    dataDir,
    file: join(dataDir, 'latchkey.db'),
    get server() {
      return server;
    },
    issue,
    /** Issues `count` tokens now, remembered as issued before the fault. */
    async issueSome(count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        const outcome = await issue();
        expect(outcome.status, outcome.text).toBe(200);
        earlier.push(String(outcome.body?.access_token));
      }
    },
    /** Token requests (writes), introspection of earlier tokens, discovery and JWKS (reads), for `ms`. */
    async load(ms: number): Promise<Outcome[]> {
      const outcomes: Outcome[] = [];
      const running = startLoad(4, async (worker) => {
        if (worker < 2) outcomes.push(await issue());
        else if (worker === 2) outcomes.push(await postForm('introspect', `${server.url}/introspect`, client, { token: earlier[outcomes.length % earlier.length] as string }));
        else outcomes.push(await request('discovery', `${server.url}/.well-known/openid-configuration`), await request('jwks', `${server.url}/jwks`));
        await sleep(10);
      });
      await sleep(ms);
      await running.stop();
      return outcomes;
    },
    async expectEarlierTokensActive(): Promise<void> {
      for (const token of earlier) {
        const outcome = await postForm('introspect', `${server.url}/introspect`, client, { token });
        expect([outcome.status, outcome.body?.active]).toEqual([200, true]);
      }
    },
    async restart(): Promise<void> {
      if (!server.process.hasExited) await server.stop();
      server = await startLatchkeyServer({ dataDir, env });
    },
  };
}

/** While writes fail: every write a 503 temporarily_unavailable with Retry-After or a success, never a 500, always an answer; reads answered. */
function expectWritesRefusedReadsAnswered(outcomes: readonly Outcome[]): void {
  const bad = outcomes.filter((o) => o.error !== undefined || (o.status !== undefined && o.status >= 500 && !(o.status === 503 && o.body?.error === 'temporarily_unavailable' && /^\d+$/.test(o.retryAfter ?? ''))));
  expect(bad.map((o) => `${o.label} ${o.status ?? o.error} ${o.text ?? ''}`.slice(0, 300))).toEqual([]);
  const reads = outcomes.filter((o) => o.label !== 'token');
  expect(reads.length).toBeGreaterThan(0);
  expect(tally(reads.filter((o) => o.status !== 200 || (o.label === 'introspect' && o.body?.active !== true)))).toEqual({});
}

const errorLines = (server: LatchkeyServer) => server.process.logs().filter((line) => Number(line.level) >= 50).map((line) => line.msg);

describeWithDisks('Issue #9 §7: the disk under a running SQLite database turns read-only', () => {
  let disk: ReturnType<typeof mountExt4> | undefined;
  afterAll(async () => {
    await killLeftoverProcesses();
    disk?.unmount();
  });

  it('Issue #9 §7: writes get 503 temporarily_unavailable (never 500) and one clear error is logged; reads keep answering; nothing is corrupted', async () => {
    disk = mountExt4(16 * 1024 * 1024);
    const served = await serveOn(disk);
    await served.issueSome(5);
    // On the disk, not only in the page cache: synchronous=NORMAL makes a commit durable across a process crash, not
    // across the disk failing under it, which loses what the kernel had not written yet, as a power cut would.
    execFileSync('sync', ['-f', served.file]);
    disk.failNow(); // the kernel remounts it read-only under the server's open files
    const outcomes = await served.load(1500);
    expectWritesRefusedReadsAnswered(outcomes);
    const writes = outcomes.filter((o) => o.label === 'token');
    expect(writes.length).toBeGreaterThan(0);
    for (const o of writes) expect([o.status, o.body?.error]).toEqual([503, 'temporarily_unavailable']);
    expect(errorLines(served.server)).toEqual(['the database is read-only: requests that write get 503 until it is writable again']);
    expect(served.server.process.hasExited).toBe(false);

    // An operator repairs the disk (here: mounts it again) and restarts: everything issued before is intact.
    await served.server.stop();
    const image = `${disk.dir}.img`;
    execFileSync('umount', [disk.dir]);
    execFileSync('mount', ['-o', 'loop', image, disk.dir]);
    expect(integrityCheck(served.file)).toBe('ok');
    await served.restart();
    await served.issueSome(1);
    await served.expectEarlierTokensActive();
  });
});

describeWithDisks('Issue #9 §7: the disk under a running SQLite database fills up', () => {
  let disk: ReturnType<typeof mountTmpfs> | undefined;
  afterAll(async () => {
    await killLeftoverProcesses();
    disk?.unmount();
  });

  it('Issue #9 §7: writes get 503 temporarily_unavailable (never 500); reads keep answering; nothing is corrupted; works again once space is freed', async () => {
    disk = mountTmpfs(3 * 1024 * 1024);
    const served = await serveOn(disk);
    await served.issueSome(5);
    // Fill the file system to the last byte.
    const filler = join(disk.dir, 'filler');
    const fd = openSync(filler, 'w');
    for (const size of [64 * 1024, 512]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size, 1));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
    }
    closeSync(fd);
    let outcomes: Outcome[];
    try {
      outcomes = await served.load(1500);
    } finally {
      rmSync(filler);
    }
    expectWritesRefusedReadsAnswered(outcomes);
    // SQLite reuses a checkpointed WAL's space, so a write may still fit: most, not all, are refused.
    expect(outcomes.filter((o) => o.label === 'token' && o.status === 503).length).toBeGreaterThan(0);
    expect(errorLines(served.server)).toEqual(['the disk holding the database is full: requests that write get 503 until there is space again']);
    expect(served.server.process.hasExited).toBe(false);

    await waitUntil('token requests to succeed again', async () => (await served.issue()).status === 200);
    await served.issueSome(3);
    await served.expectEarlierTokensActive();
    expect((await served.server.stop()).code).toBe(0);
    expect(integrityCheck(served.file)).toBe('ok');
  });
});
