// The demo's Latchkey: the built `latchkey` executable run as child processes (the CLI to provision, `serve` to run),
// exactly as an operator would, on a fresh SQLite database in a temporary folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const LATCHKEY_MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** A free TCP port on 127.0.0.1 (chosen by the OS; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The caller's environment without any LATCHKEY_* setting, plus `settings`: the demo sees only what it sets. */
function latchkeyEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('LATCHKEY_')) env[name] = value;
  return { ...env, ...settings };
}

export function assertBuilt(): void {
  if (!existsSync(LATCHKEY_MAIN)) throw new Error(`${LATCHKEY_MAIN} is missing: run \`npm run build\` first (npm ci does it)`);
}

/** Runs `latchkey <args>` to completion and returns its stdout; throws with stderr when it fails. */
export function latchkeyCli(args: readonly string[], env: Record<string, string>, stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LATCHKEY_MAIN, ...args], { env: latchkeyEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`latchkey ${args.slice(0, 2).join(' ')} failed (${code}): ${err.trim()}`))));
    child.stdin.end(stdin);
  });
}

export interface LatchkeyServer {
  readonly child: ChildProcess;
  /** Everything the server wrote (pino JSON logs), for the demo's log file. */
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `latchkey serve` and resolves once /healthz answers 200. */
export async function startLatchkey(env: Record<string, string>, healthUrl: string): Promise<LatchkeyServer> {
  const child = spawn(process.execPath, [LATCHKEY_MAIN, 'serve'], { env: latchkeyEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`latchkey serve exited with ${child.exitCode}:\n${output}`);
    const status = await fetch(healthUrl).then((response) => response.status, () => 0);
    if (status === 200) return { child, output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`latchkey serve did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
