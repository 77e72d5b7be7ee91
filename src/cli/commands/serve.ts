// `latchkey serve`: run the server until SIGINT/SIGTERM, then stop gracefully (in-flight requests finish, exit 0).
// `--workers N` (or auto: one per core) runs N copies under node:cluster, sharing the port; the primary prepares the
// data directory, database and keys once, then only supervises: it forwards SIGINT/SIGTERM and restarts a worker
// that dies unexpectedly.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { startServer } from '../../app.js';
import type { Config } from '../../config/config.js';
import { loadConfig } from '../../config/load-config.js';
import { loadMasterKey } from '../../config/load-master-key.js';
import { aggregateWorkerMetrics } from '../../http/metrics/cluster-metrics.js';
import { systemClock } from '../../lib/clock.js';
import { KeyRing } from '../../protocol/keys/key-ring.js';
import { openStorage, redactDatabaseUrl } from '../../storage/open-storage.js';
import { UsageError, type CliIo } from '../io.js';

/** The flags `latchkey serve` reads besides the configuration flags. */
export const SERVE_FLAGS = ['workers'] as const;

/** At most this many unexpected worker deaths a minute before the primary gives up (a crash loop, not a blip). */
const MAX_RESTARTS_PER_MINUTE = 10;

export function parseWorkers(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (raw === 'auto') return availableParallelism();
  if (!/^[1-9]\d{0,2}$/.test(raw)) throw new UsageError('--workers must be a whole number from 1 to 999, or auto');
  return Number(raw);
}

export async function serveCommand(flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const workers = parseWorkers(flags.workers ?? io.env.LATCHKEY_WORKERS);
  const config = loadConfig({ flags, env: io.env });
  if (workers > 1 && cluster.isPrimary) return supervise(workers, config, io);
  // A worker: only the first prints the banner (the primary says how many there are).
  return serveOne(config, io, cluster.isWorker && cluster.worker?.id !== 1);
}

async function serveOne(config: Config, io: CliIo, quiet: boolean): Promise<number> {
  const server = await startServer(config);
  const log = server.app.log;
  if (quiet) return waitForSignal(server, config, log);
  if (server.createdMasterKey) io.stdout(`Created a master key in ${config.dataDir}/master.key (mode 0600). Back it up: it unlocks the signing keys.`);
  io.stdout(`Latchkey is listening on ${server.url}`);
  io.stdout(`  issuer:   ${config.issuer}`);
  io.stdout(`  database: ${redactDatabaseUrl(config.databaseUrl)}`);
  io.stdout(`  discovery: ${config.issuer}/.well-known/openid-configuration`);
  if (server.adminUrl !== undefined) io.stdout(`  admin API: ${server.adminUrl} (OpenAPI at /admin/openapi.json)`);
  io.stdout('Next: add a user and a client (in another terminal):');
  io.stdout('  npx latchkey user create alice --email alice@example.com');
  io.stdout('  npx latchkey client create --name my-app --redirect-uri http://127.0.0.1:3000/callback');
  return waitForSignal(server, config, log);
}

type Server = Awaited<ReturnType<typeof startServer>>;

function waitForSignal(server: Server, config: Config, log: Server['app']['log']): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      const timer = setTimeout(() => {
        log.error('shutdown timed out; exiting');
        resolve(1);
      }, config.shutdownTimeoutSeconds * 1000);
      timer.unref();
      server.close().then(
        () => {
          clearTimeout(timer);
          log.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          log.error({ err: error }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    // `on`, not `once`: Ctrl-C signals the whole process group, so a worker hears SIGINT from the terminal and SIGTERM
    // from the primary; a second signal must not fall through to the default action and kill in-flight requests.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Creates the master key, migrates and generates keys once, so that workers starting together do not race to. */
async function prepare(config: Config): Promise<boolean> {
  const master = loadMasterKey(config);
  const storage = await openStorage(config.databaseUrl, { poolSize: 1 });
  try {
    const keys = new KeyRing({
      store: storage.signingKeys,
      masterKey: master.key,
      clock: systemClock,
      prePublicationMs: config.keys.prePublicationSeconds * 1000,
      retentionMs: config.keys.retentionSeconds * 1000,
    });
    await keys.ensureKeys([config.keys.accessTokenAlg, config.keys.idTokenAlg]);
  } finally {
    await storage.close();
  }
  return master.created;
}

async function supervise(count: number, config: Config, io: CliIo): Promise<number> {
  const createdMasterKey = await prepare(config);
  if (createdMasterKey) io.stdout(`Created a master key in ${config.dataDir}/master.key (mode 0600). Back it up: it unlocks the signing keys.`);
  io.stdout(`Latchkey: starting ${count} workers`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    let failed = false;
    const restarts: number[] = [];
    const live = new Set<Worker>();
    const metrics = aggregateWorkerMetrics(() => live); // a scrape of any worker's admin listener covers them all
    const fork = (): void => {
      const worker = cluster.fork();
      live.add(worker);
      let listened = false;
      worker.once('listening', () => (listened = true));
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        if (!listened && !stopping) {
          // It never started (port taken, bad database…): its own stderr said why; another would fail the same way.
          failed = true;
          stop();
        }
        if (stopping) {
          if (code !== 0) failed = true;
          if (live.size === 0) {
            metrics.stop();
            resolve(failed ? 1 : 0);
          }
          return;
        }
        const now = Date.now();
        restarts.push(now);
        while ((restarts[0] ?? now) < now - 60_000) restarts.shift();
        io.stderr(`latchkey: worker ${worker.process.pid} exited (${signal ?? `code ${code}`})${restarts.length > MAX_RESTARTS_PER_MINUTE ? '' : '; starting another'}`);
        if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
          io.stderr(`latchkey: more than ${MAX_RESTARTS_PER_MINUTE} worker exits in a minute; stopping`);
          failed = true;
          stop();
          if (live.size === 0) {
            metrics.stop();
            resolve(1);
          }
        } else fork();
      });
    };
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      for (const worker of live) worker.process.kill('SIGTERM'); // each finishes its in-flight requests
      // A worker stuck past its own shutdown timeout: the primary does not wait for ever either.
      setTimeout(() => {
        for (const worker of live) worker.process.kill('SIGKILL');
      }, (config.shutdownTimeoutSeconds + 5) * 1000).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    for (let i = 0; i < count; i++) fork();
  });
}
