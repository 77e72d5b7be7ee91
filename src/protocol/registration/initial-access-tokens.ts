// Initial access tokens for dynamic registration (RFC 7591 §3, LATCHKEY_REGISTRATION=token): 256-bit random,
// stored as a hash, valid until they expire.
import { hashSecret } from '../../lib/hash.js';
import { recordAuditEvent, type AuditContext } from '../audit/audit-event.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidRequest } from '../errors.js';
import { bearerToken, invalidToken } from './bearer-token.js';

export const MAX_INITIAL_ACCESS_TOKEN_SECONDS = 366 * 86_400;

/** Makes a token; the token itself is returned once and only its hash is kept. */
export async function createInitialAccessToken(expiresInSeconds: number, deps: Pick<ProtocolDeps, 'storage' | 'clock' | 'random'>, context: AuditContext = { actor: 'system' }): Promise<{ token: string; expiresAt: number }> {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_INITIAL_ACCESS_TOKEN_SECONDS) {
    throw invalidRequest(`expires_in must be a whole number of seconds from 1 to ${MAX_INITIAL_ACCESS_TOKEN_SECONDS}`);
  }
  const token = deps.random.token(32);
  const now = deps.clock.now();
  const expiresAt = now + expiresInSeconds * 1000;
  await deps.storage.initialAccessTokens.create({ tokenHash: hashSecret(token), createdAt: now, expiresAt });
  await recordAuditEvent({ type: 'registration_token.created', details: { expires_in: expiresInSeconds } }, context, { audit: deps.storage.audit, clock: deps.clock, random: deps.random });
  return { token, expiresAt };
}

/** RFC 7591 §3: the request must carry a valid initial access token; 401 invalid_token otherwise. */
export async function verifyInitialAccessToken(authorization: string | undefined, deps: Pick<ProtocolDeps, 'storage' | 'clock'>): Promise<void> {
  const token = bearerToken(authorization);
  if (token === undefined) throw invalidToken('an initial access token is required to register');
  const record = await deps.storage.initialAccessTokens.find(hashSecret(token)); // looked up by hash: nothing to time
  if (record === undefined || record.expiresAt <= deps.clock.now()) throw invalidToken('the initial access token is invalid or expired');
}
