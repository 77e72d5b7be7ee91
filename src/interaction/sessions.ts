// Login sessions at Latchkey (OIDC Core §3.1.2.3): a random secret in a cookie, its hash in the database, an idle and
// an absolute lifetime (OWASP Session Management), and a new id and secret at every login (session fixation, RFC 9700 §4.4).
import type { Config } from '../config/config.js';
import type { Clock } from '../lib/clock.js';
import { hashSecret } from '../lib/hash.js';
import type { Random } from '../lib/random.js';
import type { SessionRecord } from '../storage/records/session.js';
import type { UserRecord } from '../storage/records/user.js';
import type { Storage } from '../storage/storage.js';
import { endSession } from '../protocol/sessions/end-session.js';

export interface SessionDeps {
  readonly config: Pick<Config, 'sessions'>;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
}

export interface ActiveSession {
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

/** The cookie to set: the secret and how long the browser should keep it. */
export interface SessionCookie {
  readonly secret: string;
  readonly maxAgeSeconds: number;
}

/** Activity is written at most this often: the idle timeout does not need millisecond precision. */
const TOUCH_EVERY_MS = 60_000;

/** The live session behind a cookie secret, with its user; undefined when absent, expired, idle too long or the user is disabled. */
export async function findSession(secret: string | undefined, deps: SessionDeps): Promise<ActiveSession | undefined> {
  if (secret === undefined || secret.length > 100) return undefined;
  const session = await deps.storage.sessions.findBySecretHash(hashSecret(secret));
  if (session === undefined) return undefined;
  const now = deps.clock.now();
  if (session.expiresAt <= now || session.lastSeenAt + deps.config.sessions.idleSeconds * 1000 <= now) {
    await endSession(session.id, deps); // as the sweeper would: the apps in it get a back-channel logout
    return undefined;
  }
  const user = await deps.storage.users.find(session.subject);
  if (user === undefined || user.disabled) return undefined;
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await deps.storage.sessions.touch(session.id, now);
  return { session, user };
}

/** Starts a session after a successful login, ending the one the browser had (rotation at login). */
export async function startSession(
  user: UserRecord,
  method: { readonly amr: readonly string[]; readonly acr?: string },
  previousSecret: string | undefined,
  deps: SessionDeps,
): Promise<{ session: SessionRecord; cookie: SessionCookie }> {
  if (previousSecret !== undefined && previousSecret.length <= 100) {
    const previous = await deps.storage.sessions.findBySecretHash(hashSecret(previousSecret));
    if (previous !== undefined) await endSession(previous.id, deps);
  }
  const now = deps.clock.now();
  const secret = deps.random.token();
  const session: SessionRecord = {
    id: deps.random.token(16),
    secretHash: hashSecret(secret),
    subject: user.sub,
    authTime: now,
    amr: method.amr,
    ...(method.acr !== undefined && { acr: method.acr }),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.config.sessions.absoluteSeconds * 1000,
  };
  await deps.storage.sessions.create(session);
  return { session, cookie: { secret, maxAgeSeconds: deps.config.sessions.absoluteSeconds } };
}
