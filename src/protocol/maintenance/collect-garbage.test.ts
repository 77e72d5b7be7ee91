// Bounded clean-up (issue #5 item 8): batches of batchSize, a budget per run, one run at a time, never keeping the
// process alive.
import { describe, expect, it } from 'vitest';
import { collectGarbage, scheduleGarbageCollection } from './collect-garbage.js';
import type { Sweeper } from './sweepers.js';

/** A table of `rows` expired rows. */
function table(name: string, rows: number): Sweeper & { calls: number[]; left(): number } {
  let remaining = rows;
  const calls: number[] = [];
  return {
    name,
    calls,
    left: () => remaining,
    async sweep(_now, limit) {
      const deleted = Math.min(limit, remaining);
      remaining -= deleted;
      calls.push(deleted);
      return deleted;
    },
  };
}

describe('Issue #5 §8: expired rows are deleted in bounded batches', () => {
  it('deletes batch by batch until a batch comes back short, sweeper by sweeper', async () => {
    const tokens = table('tokens', 25);
    const empty = table('empty', 0);
    expect(await collectGarbage([tokens, empty], { now: 0, batchSize: 10 })).toEqual({ tokens: 25, empty: 0 });
    expect(tokens.calls).toEqual([10, 10, 5]);
    expect(empty.calls).toEqual([0]);
  });

  it('stops at the batch budget and leaves the rest for the next run', async () => {
    const tokens = table('tokens', 100);
    expect(await collectGarbage([tokens], { now: 0, batchSize: 10, maxBatches: 3 })).toEqual({ tokens: 30 });
    expect(tokens.left()).toBe(70);
  });

  it('a scheduled collector runs one run at a time, reports failures, and stop() waits for the run in progress', async () => {
    const errors: unknown[] = [];
    let release: () => void = () => undefined;
    let runs = 0;
    const slow: Sweeper = {
      name: 'slow',
      sweep: () => {
        runs++;
        return new Promise((resolve) => (release = () => resolve(0)));
      },
    };
    const collector = scheduleGarbageCollection({ sweepers: [slow], now: () => 0, intervalMs: 0, batchSize: 10, onError: (error) => errors.push(error) });
    const first = collector.runOnce();
    const second = collector.runOnce(); // joins the run in progress
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = collector.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    expect(await first).toEqual({ slow: 0 });
    expect(await second).toEqual({ slow: 0 });
    await stopping;

    const failing = scheduleGarbageCollection({
      sweepers: [{ name: 'broken', sweep: () => Promise.reject(new Error('database gone')) }],
      now: () => 0,
      intervalMs: 0,
      batchSize: 10,
      onError: (error) => errors.push(error),
    });
    expect(await failing.runOnce()).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
