// `latchkey registration-token create`: an initial access token for dynamic registration (RFC 7591 §3).
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import { createInitialAccessToken } from '../../protocol/registration/initial-access-tokens.js';
import { cliContext } from '../actor.js';
import { withContext } from '../context.js';
import { UsageError, type CliIo } from '../io.js';

/** The flags `latchkey registration-token …` reads (besides the configuration flags). */
export const REGISTRATION_TOKEN_FLAGS = ['expires-in', 'json'] as const;

const USAGE = 'usage: latchkey registration-token create [--expires-in SECONDS] [--json]';
const DEFAULT_EXPIRES_IN = 86_400;

export async function registrationTokenCommand(args: readonly string[], flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  if (args[0] !== 'create' || args.length > 1) throw new UsageError(USAGE);
  const raw = flags['expires-in'];
  if (raw !== undefined && !/^\d{1,8}$/.test(raw)) throw new UsageError('--expires-in must be a whole number of seconds');
  return withContext(flags, io, async ({ config, storage }) => {
    const { token, expiresAt } = await createInitialAccessToken(raw === undefined ? DEFAULT_EXPIRES_IN : Number(raw), { storage, clock: systemClock, random: systemRandom }, cliContext());
    if (flags.json !== undefined) {
      io.stdout(JSON.stringify({ initial_access_token: token, expires_at: Math.floor(expiresAt / 1000) }, null, 2));
    } else {
      io.stdout(`initial access token: ${token}`);
      io.stdout(`  expires ${new Date(expiresAt).toISOString()}; shown once, only its hash is kept`);
      io.stdout('  use it as: Authorization: Bearer <token> on POST /register');
    }
    if (config.registration !== 'token') io.stderr(`note: registration is "${config.registration}"; tokens are checked only with LATCHKEY_REGISTRATION=token`);
    return 0;
  });
}
