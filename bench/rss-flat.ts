// Issue 10 §2: "RSS stays under 200 MiB and flat after 1 million tokens issued". Starts `latchkey serve` (fresh
// SQLite, rate limits at 10M/min as in `npm run bench`), issues client_credentials opaque tokens with autocannon until
// --tokens are issued, and samples the server's RSS every --every seconds. Prints the curve and writes
// bench/results/<timestamp>-rss.json. Run: npm run build && npx tsx bench/rss-flat.ts [--tokens 1000000] [--every 10]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, runCommand, startProcess, treeUsage } from './lib/processes.js';

const { values: args } = parseArgs({ options: { tokens: { type: 'string', default: '1000000' }, every: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } } });
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = process.env.LATCHKEY_BENCH_MAIN ?? join(ROOT, 'dist/cli/main.js');
const tokens = Number(args.tokens);
const work = mkdtempSync(join(tmpdir(), 'latchkey-rss-'));
const port = await freePort();
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LATCHKEY_'))),
  LATCHKEY_DATA_DIR: join(work, 'latchkey'),
  LATCHKEY_LOG_LEVEL: 'warn',
  LATCHKEY_HOST: '127.0.0.1',
  LATCHKEY_PORT: String(port),
  LATCHKEY_ISSUER: `http://127.0.0.1:${port}`,
  LATCHKEY_RATE_LIMITS: JSON.stringify({ token: { perIp: 10_000_000, perClient: 10_000_000 } }),
};
const file = join(work, 'client.json');
writeFileSync(file, JSON.stringify({ client_name: 'rss', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', policy: { access_token_format: 'opaque' } }));
const client = JSON.parse(await runCommand(process.execPath, [MAIN, 'client', 'create', '--from-file', file, '--json'], env)) as { client_id: string; client_secret: string };
const server = await startProcess({ name: 'latchkey', command: process.execPath, args: [MAIN, 'serve'], env, ready: /listening on (http:\/\/\S+)/ });
const mib = (bytes: number | undefined): number => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;
const samples: { seconds: number; tokens: number; rssMiB: number }[] = [];
const started = performance.now();
let issued = 0;
const sample = (): void => {
  const point = { seconds: Math.round((performance.now() - started) / 1000), tokens: issued, rssMiB: mib(treeUsage(server.pid)?.rssBytes) };
  samples.push(point);
  console.log(`${String(point.seconds).padStart(5)} s  ${String(point.tokens).padStart(8)} tokens  RSS ${point.rssMiB} MiB`);
};
sample();
const timer = setInterval(sample, Number(args.every) * 1000);
try {
  const result = await autocannon({
    url: server.url,
    connections: Number(args.connections),
    amount: tokens,
    timeout: 10,
    requests: [{
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
      onResponse: (status: number) => {
        if (status === 200) issued++;
      },
    }],
  });
  clearInterval(timer);
  sample();
  const after = samples.filter((point) => point.tokens >= Math.min(100_000, tokens / 10)); // past the warm-up
  const rss = after.map((point) => point.rssMiB);
  const summary = { tokens: issued, non2xx: result.non2xx, errors: result.errors, seconds: samples.at(-1)?.seconds, rssMiB: { atStart: samples[0]?.rssMiB, min: Math.min(...rss), max: Math.max(...rss), last: rss.at(-1) } };
  console.log(JSON.stringify(summary));
  const out = join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-rss.json`);
  writeFileSync(out, `${JSON.stringify({ summary, samples }, null, 2)}\n`);
  console.log(`results in ${out}`);
} finally {
  clearInterval(timer);
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
