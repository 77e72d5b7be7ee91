// One measured run: autocannon in this process (pinned to the load generator's core), the server's CPU time and
// RSS sampled from /proc over the same interval.
import autocannon from 'autocannon';
import { treeUsage } from './processes.js';

/** What a scenario asks of the load generator. `setupRequest` builds each request (fresh assertions, pools). */
export interface LoadSpec {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly setupRequest?: (request: autocannon.Request) => autocannon.Request;
  readonly onResponse?: (status: number, body: string) => void;
  /** A sequence sent in order on each connection, sharing autocannon's per-cycle context (replaces the above). */
  readonly sequence?: autocannon.Request[];
}

export interface Measurement {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Server CPU over the run, in percent of one core (200 = two cores busy). */
  readonly serverCpuPercent: number | undefined;
  /** Requests served per second of server CPU: what one dedicated core would do, robust to a shared machine. */
  readonly requestsPerCpuSecond: number | undefined;
  readonly serverRssMiB: number | undefined;
  readonly serverRssPeakMiB: number | undefined;
}

export interface LoadOptions {
  readonly url: string;
  readonly spec: LoadSpec;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly serverPid?: number;
}

export async function runLoad({ url, spec, connections, durationSeconds, serverPid }: LoadOptions): Promise<Measurement> {
  const request: autocannon.Request = {
    method: spec.method ?? 'GET',
    path: spec.path,
    headers: spec.headers ?? {},
    ...(spec.body !== undefined && { body: spec.body }),
    ...(spec.setupRequest && { setupRequest: (req: autocannon.Request) => spec.setupRequest!(req) }),
    ...(spec.onResponse && { onResponse: (status: number, body: string) => spec.onResponse!(status, body) }),
  };
  const before = serverPid === undefined ? undefined : treeUsage(serverPid);
  const started = performance.now();
  let rssPeak = before?.rssBytes ?? 0;
  const sampler = serverPid === undefined ? undefined : setInterval(() => {
    rssPeak = Math.max(rssPeak, treeUsage(serverPid)?.rssBytes ?? 0);
  }, 500);
  let result: autocannon.Result;
  try {
    result = await autocannon({ url, connections, duration: durationSeconds, requests: spec.sequence ?? [request], timeout: 10 });
  } finally {
    if (sampler) clearInterval(sampler);
  }
  const elapsed = (performance.now() - started) / 1000;
  const after = serverPid === undefined ? undefined : treeUsage(serverPid);
  const seconds = result.duration > 0 ? result.duration : elapsed;
  const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const cpuSeconds = before && after ? after.cpuSeconds - before.cpuSeconds : undefined;
  return {
    requestsPerSecond: Math.round(result['2xx'] / seconds),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpuPercent: before && after ? Math.round(((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100) : undefined,
    requestsPerCpuSecond: cpuSeconds ? Math.round(result['2xx'] / cpuSeconds) : undefined,
    serverRssMiB: after ? mib(after.rssBytes) : undefined,
    serverRssPeakMiB: after ? mib(Math.max(rssPeak, after.rssBytes)) : undefined,
  };
}
