// `latchkey gc`: delete expired codes, tokens, grants and replay records once, in bounded batches (servers also do
// this every gc.intervalSeconds).
import { loadConfig } from '../../config/load-config.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { collectGarbage } from '../../protocol/maintenance/collect-garbage.js';
import { expirySweepers } from '../../protocol/maintenance/sweepers.js';
import { systemRandom } from '../../lib/random.js';
import { openStorage } from '../../storage/open-storage.js';
import type { CliIo } from '../io.js';

export async function gcCommand(flags: Record<string, string | undefined>, io: CliIo, options: { clock?: Clock } = {}): Promise<number> {
  const config = loadConfig({ flags, env: io.env });
  const storage = await openStorage(config.databaseUrl, { poolSize: 1 });
  try {
    const clock = options.clock ?? systemClock;
    const now = clock.now();
    const sessions = { clock, random: systemRandom, idleMs: config.sessions.idleSeconds * 1000 };
    const deleted = await collectGarbage(expirySweepers(storage, sessions), { now, batchSize: config.gc.batchSize, maxBatches: Number.POSITIVE_INFINITY });
    if (flags.json !== undefined) io.stdout(JSON.stringify(deleted));
    else for (const [name, count] of Object.entries(deleted)) io.stdout(`${name}: ${count} expired deleted`);
    return 0;
  } finally {
    await storage.close();
  }
}
