// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package, the "where does the time
// go" table the issue asks for before any optimisation.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: { readonly name: string; readonly where: string; readonly selfMs: number; readonly percent: number }[];
  readonly packages: { readonly name: string; readonly selfMs: number; readonly percent: number }[];
}

/** "fastify", "kysely", "latchkey src", "node internals", "(idle)", … from a script URL. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/')) return 'latchkey';
  return url;
}

export function summariseProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    const where = frame.url === '' ? '' : `${frame.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const pkg = packageOf(frame.url, frame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const ms = (us: number): number => Math.round(us / 100) / 10;
  const pct = (us: number): number => Math.round((us / totalUs) * 1000) / 10;
  return {
    totalMs: ms(totalUs),
    functions: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, selfMs: ms(f.us), percent: pct(f.us) })),
    packages: [...packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, selfMs: ms(us), percent: pct(us) })),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`total sampled: ${summary.totalMs} ms`, '', '| self % | self ms | package |', '|---:|---:|---|'];
  for (const p of summary.packages) lines.push(`| ${p.percent} | ${p.selfMs} | ${p.name} |`);
  lines.push('', '| self % | self ms | function | where |', '|---:|---:|---|---|');
  for (const f of summary.functions) lines.push(`| ${f.percent} | ${f.selfMs} | ${f.name} | ${f.where} |`);
  return lines.join('\n');
}
