// Child processes under test: spawn (pinned to a core with taskset when it exists), wait for "listening", stop,
// and read CPU time and RSS from /proc for the whole process tree (a cluster primary and its workers).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { freePort } from '../../test/support/free-port.js';

export const HAS_TASKSET = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
export const HAS_PROC = existsSync('/proc/self/stat');
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const PAGE_SIZE = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim()) || 4096;


/** Pins this process (every thread: the load generator) to `cpus`, e.g. "1". */
export function pinSelf(cpus: string): boolean {
  if (!HAS_TASKSET) return false;
  return spawnSync('taskset', ['-a', '-pc', cpus, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** taskset CPU list for the server, e.g. "0"; undefined = not pinned. */
  readonly cpus?: string | undefined;
  /** Finds the URL in the output; the process counts as ready once it matches. */
  readonly ready: RegExp;
  readonly timeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startProcess(options: SpawnOptions): Promise<ServerProcess> {
  const [command, args] = options.cpus !== undefined && HAS_TASKSET
    ? ['taskset', ['-c', options.cpus, options.command, ...options.args]]
    : [options.command, [...options.args]];
  // taskset execs the command: the pid is the server's own.
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  const keep = (chunk: string): void => {
    out = (out + chunk).slice(-64 * 1024);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(child);
    resolve();
  }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${options.name}: not ready after ${options.timeoutMs ?? 30_000} ms\n${out}`)), options.timeoutMs ?? 30_000);
    const check = (): void => {
      const match = options.ready.exec(out);
      if (match) finish(undefined, match[1] ?? match[0]);
    };
    const onExit = (): void => finish(new Error(`${options.name} exited before it was ready:\n${out}`));
    function finish(error: Error | undefined, value?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve(value as string);
    }
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
  });
  return {
    name: options.name,
    child,
    pid: child.pid as number,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Run a command to completion; rejects with its output on a non-zero exit. */
export async function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${err}${out}`))));
    child.stdin.end(input ?? '');
  });
}

interface ProcStat {
  readonly ppid: number;
  readonly cpuTicks: number;
  readonly rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), rssBytes: Number(fields[21]) * PAGE_SIZE };
  } catch {
    return undefined;
  }
}

/** The pids of `root` and all its descendants (cluster workers). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

export interface TreeUsage {
  /** CPU seconds (user + system) so far, summed over the tree. */
  readonly cpuSeconds: number;
  /** Sum of the tree's resident set sizes. */
  readonly rssBytes: number;
  readonly processes: number;
}

export function treeUsage(root: number): TreeUsage | undefined {
  if (!HAS_PROC) return undefined;
  const stats = processTree(root).map(readStat).filter((stat): stat is ProcStat => stat !== undefined);
  if (stats.length === 0) return undefined;
  return {
    cpuSeconds: stats.reduce((sum, stat) => sum + stat.cpuTicks, 0) / CLOCK_TICKS,
    rssBytes: stats.reduce((sum, stat) => sum + stat.rssBytes, 0),
    processes: stats.length,
  };
}

export { freePort };
