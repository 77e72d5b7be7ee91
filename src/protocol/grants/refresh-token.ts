// Refresh token grant: RFC 6749 §6, with rotation and reuse detection per RFC 9700 §4.14.2.
import { hashSecret } from '../../lib/hash.js';
import type { RefreshTokenRecord } from '../../storage/records/refresh-token.js';
import { recordAuditEvent } from '../audit/audit-event.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidGrant, invalidScope } from '../errors.js';
import { selectTokenResources } from '../resource-indicators/select-token-resources.js';
import { parseScope } from '../scope.js';
import type { IssueTokensRequest, TokenResponse } from '../tokens/token-issuer.js';
import { tokenResponse } from '../tokens/token-response.js';
import { issuanceAudit, type TokenGrant } from './token-grant.js';

// One answer for unknown, expired, revoked and another client's token: nothing to learn by probing.
const INVALID = 'the refresh token is invalid, expired or revoked';

/** RFC 6749 §6: the scope may be narrowed, never widened; omitted means the scope originally granted. */
function narrowScope(requested: string | undefined, granted: readonly string[]): readonly string[] {
  if (requested === undefined) return granted;
  const scope = parseScope(requested);
  if (scope.some((item) => !granted.includes(item))) throw invalidScope('the requested scope exceeds the scope originally granted');
  return scope;
}

/**
 * A rotated token presented again. RFC 9700 §4.14.2: the server cannot tell the client from a thief, so it revokes
 * the whole family (every refresh and access token of the grant).
 *
 * The grace window (tokens.refreshReuseGraceSeconds, off by default) exists for the honest duplicate: a response
 * lost on the network and retried, or two tabs refreshing at once. Within it the presenter gets a fresh pair
 * instead, and the family forks: the successor already issued stays valid, because revoking it would punish
 * exactly the tab that did receive it. What keeps this safe enough to offer:
 * - nothing is re-sent: the successor is stored only as a hash, and re-sending a token would need it in clear;
 * - the fork inherits the family's absolute end, its grant and its client binding, so it extends nothing;
 * - only the same client, within seconds of the rotation, before any revocation, gets it; after the window any
 *   replay of any token of the family still revokes all branches at once (revocation is per grant).
 * The residual risk, which enabling the window accepts: a thief replaying within those seconds gets a branch.
 */
async function replayed(token: RefreshTokenRecord, request: () => IssueTokensRequest, deps: ProtocolDeps): Promise<TokenResponse> {
  const now = deps.clock.now();
  const graceMs = deps.config.tokens.refreshReuseGraceSeconds * 1000;
  if (token.rotatedAt !== undefined && token.revokedAt === undefined && graceMs > 0 && now - token.rotatedAt <= graceMs) {
    if (token.absoluteExpiresAt <= now) throw invalidGrant(INVALID); // the family has ended: nothing to fork
    return tokenResponse(await deps.tokens.issue(request())); // invalid_grant if the family was revoked meanwhile
  }
  await deps.storage.grants.revoke(token.grantId, now);
  await recordAuditEvent(
    { type: 'refresh_token.reuse_detected', clientId: token.clientId, details: { grant_id: token.grantId } },
    { actor: `client:${token.clientId}` },
    { audit: deps.storage.audit, clock: deps.clock, random: deps.random },
  );
  throw invalidGrant('the refresh token was already used; the grant is revoked');
}

export const refreshTokenGrant: TokenGrant = {
  grantType: 'refresh_token',
  parameters: new Set(['refresh_token', 'scope', 'resource']),

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
  async exchange(tokenRequest, deps) {
    const { client, params, dpopJkt } = tokenRequest;
    const { storage, clock } = deps;
    const hash = hashSecret(params.required('refresh_token'));
    const token = await storage.refreshTokens.find(hash);
    // RFC 6749 §10.4: bound to the client it was issued to.
    if (token === undefined || token.clientId !== client.clientId || token.revokedAt !== undefined) throw invalidGrant(INVALID);
    // RFC 9449 §5: a bound token (public clients) is usable only with a proof by its key. Checked before reuse
    // detection, so someone who stole a rotated token but not the key cannot revoke the family either.
    if (token.dpopJkt !== undefined && token.dpopJkt !== dpopJkt) throw invalidGrant('the refresh token is DPoP-bound: send a proof made with its key');
    const grant = await storage.grants.find(token.grantId);
    if (grant === undefined || grant.revokedAt !== undefined) throw invalidGrant(INVALID);

    // Built only when tokens are about to be issued: a replay must revoke the family whatever scope it asks for.
    const request = (): IssueTokensRequest => ({
      client,
      audit: issuanceAudit(tokenRequest, 'refresh_token'),
      grantId: grant.id,
      ...(grant.subject !== undefined && { subject: grant.subject }),
      ...(grant.authTime !== undefined && { authTime: grant.authTime }),
      ...(grant.acr !== undefined && { acr: grant.acr }),
      ...(grant.amr !== undefined && { amr: grant.amr }),
      ...(grant.sessionId !== undefined && { sessionId: grant.sessionId }),
      scope: narrowScope(params.optional('scope'), token.scope),
      resources: selectTokenResources(params.optional('resource'), grant.resources, deps.config),
      refreshToken: true,
      refreshTokenScope: token.scope, // RFC 6749 §6: narrowing applies to the access token; the grant keeps its scope
      refreshTokenAbsoluteExpiresAt: token.absoluteExpiresAt,
      dpopJkt,
    });
    if (token.rotatedAt !== undefined) return replayed(token, request, deps); // even after expiry
    if (token.expiresAt <= clock.now()) throw invalidGrant(INVALID);

    const issued = await deps.tokens.rotate({ ...request(), grantId: grant.id, refreshToken: true, rotates: hash, refreshTokenAbsoluteExpiresAt: token.absoluteExpiresAt });
    if (issued !== undefined) return tokenResponse(issued);
    // Lost a race: another request rotated (or revoked) this token between our read and our write.
    const current = await storage.refreshTokens.find(hash);
    if (current === undefined) throw invalidGrant(INVALID);
    return replayed(current, request, deps);
  },
};
