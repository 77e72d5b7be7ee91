// `latchkey keys list|rotate`: signing keys and their rollover (publish first, sign later, retire late).
import type { SigningAlg } from '../../config/config.js';
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import { recordAuditEvent } from '../../protocol/audit/audit-event.js';
import { cliContext } from '../actor.js';
import { withContext } from '../context.js';
import { UsageError, type CliIo } from '../io.js';

const ALGS: readonly SigningAlg[] = ['ES256', 'RS256', 'EdDSA'];

export async function keysCommand(args: readonly string[], flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [action] = args;
  if (action === 'list') {
    return withContext(flags, io, async ({ keys }) => {
      await keys.reload();
      const rows = keys.describe();
      if (flags.json !== undefined) io.stdout(JSON.stringify(rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt).toISOString(), activatesAt: new Date(row.activatesAt).toISOString() })), null, 2));
      else for (const row of rows) io.stdout(`${row.kid}  ${row.alg.padEnd(5)}  ${row.state.padEnd(7)}  signs from ${new Date(row.activatesAt).toISOString()}`);
      return 0;
    });
  }
  if (action === 'rotate') {
    return withContext(flags, io, async ({ keys, config, storage }) => {
      const requested = flags.alg;
      if (requested !== undefined && !ALGS.includes(requested as SigningAlg)) throw new UsageError(`--alg must be one of ${ALGS.join(', ')}`);
      const algs = requested !== undefined ? [requested as SigningAlg] : [...new Set([config.keys.accessTokenAlg, config.keys.idTokenAlg])];
      for (const alg of algs) {
        const key = await keys.rotate(alg);
        await recordAuditEvent({ type: 'key.rotated', details: { kid: key.kid, alg, activates_at: new Date(key.activatesAt).toISOString() } }, cliContext(), { audit: storage.audit, clock: systemClock, random: systemRandom });
        io.stdout(`${key.kid}  ${alg}: published now, signs from ${new Date(key.activatesAt).toISOString()}`);
      }
      const removed = await keys.removeExpired();
      if (removed.length > 0) io.stdout(`removed expired keys: ${removed.join(', ')}`);
      return 0;
    });
  }
  throw new UsageError('usage: latchkey keys list [--json] | latchkey keys rotate [--alg ES256|RS256|EdDSA]');
}
