// Runs the built `latchkey` executable (dist/cli/main.js) as real processes, for end-to-end flow tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './test-server.js';

export const LATCHKEY_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Throws a clear message when dist/ is missing: flow tests run the built executable, as users do. */
export function assertBuilt(): void {
  if (!existsSync(LATCHKEY_MAIN)) throw new Error(`${LATCHKEY_MAIN} is missing: run \`npm run build\` first (npm test does)`);
}

/** The caller's environment without any LATCHKEY_* setting, plus `settings`: a test sees only the configuration it sets. */
export function latchkeyEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('LATCHKEY_')) env[name] = value;
  return { ...env, ...settings };
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every process this module started that is still running: for afterAll, after a failed test. */
export async function killLeftoverProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      }
    }),
  );
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

class LatchkeyChild {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  private out = '';
  private err = '';
  private readonly waiters = new Set<() => void>();

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [LATCHKEY_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.append('out', chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.append('err', chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        running.delete(this.child);
        resolve({ code, signal });
        this.notify();
      });
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Pino's JSON log lines so far (the server logs to stdout). */
  logs(): Record<string, unknown>[] {
    return this.out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** Resolves as soon as `condition` holds (checked on every output and on exit); rejects after `timeoutMs`. */
  async until<T>(condition: () => T | undefined, what: string, timeoutMs = 45_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const value = condition();
        if (value === undefined) return;
        cleanUp();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanUp();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${this.out}\nstderr:\n${this.err}`));
      }, timeoutMs);
      const cleanUp = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The first log line matching `match`, waiting for it to be written. */
  async waitForLog(match: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    return this.until(() => this.logs().find(match), `log line: ${what}`);
  }

  private append(stream: 'out' | 'err', chunk: string): void {
    if (stream === 'out') this.out += chunk;
    else this.err += chunk;
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export interface CliResult extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `latchkey <args>` to completion (killed after `timeoutMs`, e.g. a server that started when it should not have). */
export async function runLatchkey(args: readonly string[], env: Record<string, string>, timeoutMs = 45_000): Promise<CliResult> {
  const cli = new LatchkeyChild(args, latchkeyEnv(env));
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const exit = await cli.exited;
  clearTimeout(timer);
  return { ...exit, stdout: cli.stdout, stderr: cli.stderr };
}

export interface LatchkeyServer {
  readonly port: number;
  /** Where to send requests: http://127.0.0.1:<port>. */
  readonly url: string;
  readonly process: LatchkeyChild;
  /** Sends SIGTERM and resolves with how the process ended. */
  stop(): Promise<Exit>;
}

export interface ServerOptions {
  readonly dataDir: string;
  /** Extra LATCHKEY_* settings; may depend on the port chosen (e.g. the issuer). */
  readonly env?: (port: number) => Record<string, string>;
}

/**
 * Starts `latchkey serve` on a free loopback port (retrying if another process takes the port first)
 * and resolves once /healthz answers 200.
 */
export async function startLatchkeyServer(options: ServerOptions): Promise<LatchkeyServer> {
  assertBuilt();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = new LatchkeyChild(
      ['serve'],
      latchkeyEnv({
        LATCHKEY_HOST: '127.0.0.1',
        LATCHKEY_PORT: String(port),
        LATCHKEY_ISSUER: `http://localhost:${port}`,
        LATCHKEY_DATA_DIR: options.dataDir,
        ...options.env?.(port),
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    const outcome = await server.until(
      () => (server.hasExited ? 'exited' : server.stdout.includes('Latchkey is listening on') ? 'listening' : undefined),
      'the server to listen',
    );
    if (outcome === 'exited') {
      if (server.stderr.includes('EADDRINUSE') && attempt < 5) continue; // the free port was taken meanwhile: try another
      throw new Error(`latchkey serve exited with ${JSON.stringify(await server.exited)}:\n${server.stderr}`);
    }
    await waitForHealthz(url, server);
    return {
      port,
      url,
      process: server,
      async stop() {
        if (!server.hasExited) server.child.kill('SIGTERM');
        return server.exited;
      },
    };
  }
}

async function waitForHealthz(url: string, server: LatchkeyChild): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await fetch(`${url}/healthz`).then((response) => response.status, () => 0);
    if (status === 200) return;
    if (server.hasExited || Date.now() > deadline) throw new Error(`/healthz did not answer 200 (last: ${status})\n${server.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25)); // poll: the listening line came first, so this is rare
  }
}
