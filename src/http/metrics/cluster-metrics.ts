// Metrics under `serve --workers N` (issue 10 items 4 and 5). The workers share the admin port as they share the
// public one (node:cluster hands each connection to one worker), so a scrape reaches one worker at random. That
// worker asks the primary, which gathers every live worker's snapshot over the cluster's IPC channel and merges
// them (counters and histograms summed, gauges per `worker`): each scrape answers for the whole cluster.
import cluster, { type Worker } from 'node:cluster';
import { mergeSnapshots, renderLabels, type FamilySnapshot } from './prometheus.js';

/** How long the primary waits for the workers' snapshots; a worker that has not answered by then is left out. */
export const GATHER_TIMEOUT_MS = 1500;

type Message =
  | { readonly latchkey: 'metrics:collect'; readonly id: number } // worker → primary: a scrape arrived
  | { readonly latchkey: 'metrics:snapshot'; readonly id: number } // primary → every worker: send yours
  | { readonly latchkey: 'metrics:snapshot-reply'; readonly id: number; readonly families: FamilySnapshot[] }
  | { readonly latchkey: 'metrics:collected'; readonly id: number; readonly families: FamilySnapshot[] }; // primary → the asking worker

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { latchkey?: unknown }).latchkey === 'string' && typeof (value as { id?: unknown }).id === 'number';
}

export interface MetricsSource {
  /** The snapshot a scrape renders: this process's, or the whole cluster's in a worker. */
  collect(): Promise<FamilySnapshot[]>;
  stop(): void;
}

/** In a single process, the local registry; in a cluster worker, the primary's merge of every worker's. */
export function metricsSource(collectLocal: () => FamilySnapshot[]): MetricsSource {
  if (!cluster.isWorker || process.send === undefined) return { collect: async () => collectLocal(), stop() {} };
  const send = process.send.bind(process);
  const pending = new Map<number, (families: FamilySnapshot[]) => void>();
  let nextId = 0;
  const onMessage = (message: unknown): void => {
    if (!isMessage(message)) return;
    if (message.latchkey === 'metrics:snapshot') send({ latchkey: 'metrics:snapshot-reply', id: message.id, families: collectLocal() } satisfies Message);
    else if (message.latchkey === 'metrics:collected') pending.get(message.id)?.(message.families);
  };
  process.on('message', onMessage);
  return {
    collect() {
      const id = nextId++;
      return new Promise<FamilySnapshot[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the cluster primary did not answer the metrics request'));
        }, GATHER_TIMEOUT_MS * 2);
        pending.set(id, (families) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(families);
        });
        send({ latchkey: 'metrics:collect', id } satisfies Message);
      });
    },
    stop() {
      process.off('message', onMessage);
    },
  };
}

/** The primary's side: answers each worker's collect request with the merge of every live worker's snapshot. */
export function aggregateWorkerMetrics(liveWorkers: () => Iterable<Worker>): { stop(): void } {
  let nextGather = 0;
  const gathers = new Map<number, (worker: Worker, families: FamilySnapshot[]) => void>();
  const onMessage = (from: Worker, message: unknown): void => {
    if (!isMessage(message)) return;
    if (message.latchkey === 'metrics:snapshot-reply') {
      gathers.get(message.id)?.(from, message.families);
      return;
    }
    if (message.latchkey !== 'metrics:collect') return;
    const gather = nextGather++;
    const asked = [...liveWorkers()].filter((worker) => worker.isConnected());
    const answers: { worker: string; families: FamilySnapshot[] }[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      gathers.delete(gather);
      answers.sort((a, b) => Number(a.worker) - Number(b.worker));
      const families = mergeSnapshots(answers);
      families.push({
        name: 'latchkey_cluster_workers',
        help: 'Workers asked for this scrape, and those that answered in time (their figures are the ones above)',
        type: 'gauge',
        samples: [
          { labels: renderLabels({ state: 'live' }), value: asked.length },
          { labels: renderLabels({ state: 'answered' }), value: answers.length },
        ],
      });
      if (from.isConnected()) from.send({ latchkey: 'metrics:collected', id: message.id, families } satisfies Message);
    };
    const timer = setTimeout(finish, GATHER_TIMEOUT_MS);
    gathers.set(gather, (worker, families) => {
      answers.push({ worker: String(worker.id), families });
      if (answers.length === asked.length) finish();
    });
    for (const worker of asked) worker.send({ latchkey: 'metrics:snapshot', id: gather } satisfies Message);
  };
  cluster.on('message', onMessage);
  return {
    stop() {
      cluster.off('message', onMessage);
    },
  };
}
