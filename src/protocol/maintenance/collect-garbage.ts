// Deletion of expired rows in bounded batches, so the database stays the size of what is live and no sweep holds a
// lock (or the event loop) for long. Safe to run in many processes at once: deleting is idempotent.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Sweeper } from './sweepers.js';

export interface CollectGarbageOptions {
  /** Rows expired before this instant go (epoch ms). */
  readonly now: number;
  /** Rows per statement. */
  readonly batchSize: number;
  /** Statements per sweeper per run; the rest waits for the next run (default 1000). */
  readonly maxBatches?: number;
}

/** Runs every sweeper until it finds fewer than a batch or spends its budget; returns rows deleted per sweeper. */
export async function collectGarbage(sweepers: readonly Sweeper[], options: CollectGarbageOptions): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const sweeper of sweepers) {
    let total = 0;
    for (let batch = 0; batch < (options.maxBatches ?? 1000); batch++) {
      const count = await sweeper.sweep(options.now, options.batchSize);
      total += count;
      if (count < options.batchSize) break;
      await yieldToEventLoop(); // let requests run between batches
    }
    deleted[sweeper.name] = total;
  }
  return deleted;
}

export interface GarbageCollector {
  /** Runs once now (unless a run is in progress); resolves with what it deleted. */
  runOnce(): Promise<Record<string, number> | undefined>;
  /** Stops the timer and waits for a run in progress, so storage can close after it. */
  stop(): Promise<void>;
}

/**
 * Runs collectGarbage every `intervalMs` on an unref'd timer (it never keeps the process alive), one run at a time.
 * Failures go to `onError` and the next run tries again.
 */
export function scheduleGarbageCollection(options: {
  readonly sweepers: readonly Sweeper[];
  readonly now: () => number;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly onCollected?: (deleted: Record<string, number>) => void;
  readonly onError: (error: unknown) => void;
}): GarbageCollector {
  let running: Promise<Record<string, number> | undefined> | undefined;
  const runOnce = (): Promise<Record<string, number> | undefined> => {
    running ??= collectGarbage(options.sweepers, { now: options.now(), batchSize: options.batchSize })
      .then(
        (deleted) => {
          options.onCollected?.(deleted);
          return deleted;
        },
        (error: unknown) => {
          options.onError(error);
          return undefined;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = options.intervalMs > 0 ? setInterval(() => void runOnce(), options.intervalMs) : undefined;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}
