// Issuing the authorization code: RFC 6749 §4.1.2. 256 bits of randomness, stored only as a hash, short-lived, and bound
// to the client, redirect URI, PKCE challenge, nonce, scope and login; a grant is created so every token issued from
// the code can be revoked together (§4.1.2: a replayed code SHOULD revoke them).
import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { hashSecret } from '../../lib/hash.js';
import type { Random } from '../../lib/random.js';
import type { Storage } from '../../storage/storage.js';
import type { ActiveSession } from '../../interaction/sessions.js';
import type { AuthorizationRequest, AuthorizationResponse } from './authorization-request.js';
import { codeResponse, responseTarget } from './authorization-response.js';

export interface CodeDeps {
  readonly config: Pick<Config, 'issuer' | 'authorization'>;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 */
export async function issueAuthorizationCode(request: AuthorizationRequest, active: ActiveSession, deps: CodeDeps): Promise<AuthorizationResponse> {
  const { session, user } = active;
  const now = deps.clock.now();
  const code = deps.random.token(); // 256 bits (RFC 9700 §4.1.1 wants codes unguessable)
  const grantId = deps.random.id();
  const expiresAt = now + deps.config.authorization.codeTtlSeconds * 1000;
  await deps.storage.transaction(async (storage) => {
    await storage.grants.create({
      id: grantId,
      clientId: request.clientId,
      subject: user.sub,
      scope: request.scope,
      resources: request.resources ?? [],
      sessionId: session.id,
      authTime: session.authTime,
      ...(session.acr !== undefined && { acr: session.acr }),
      amr: session.amr,
      createdAt: now,
      expiresAt, // until tokens are issued under it, the grant covers only the code
    });
    await storage.authorizationCodes.save({
      hash: hashSecret(code),
      clientId: request.clientId,
      grantId,
      subject: user.sub,
      redirectUri: request.redirectUri,
      redirectUriProvided: request.redirectUriProvided,
      ...(request.codeChallenge !== undefined && { codeChallenge: request.codeChallenge }),
      ...(request.nonce !== undefined && { nonce: request.nonce }),
      ...(request.dpopJkt !== undefined && { dpopJkt: request.dpopJkt }),
      scope: request.scope,
      authTime: session.authTime,
      ...(session.acr !== undefined && { acr: session.acr }),
      amr: session.amr,
      sessionId: session.id,
      createdAt: now,
      expiresAt,
    });
  });
  return codeResponse(responseTarget(request, deps.config.issuer), code);
}
