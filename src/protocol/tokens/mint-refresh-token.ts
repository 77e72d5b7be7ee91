// Refresh tokens: RFC 6749 §6, RFC 9700 §4.14.2. Opaque, stored by SHA-256, bound to the client and the grant,
// with an idle and an absolute lifetime.
import type { Config } from '../../config/config.js';
import { hashSecret } from '../../lib/hash.js';
import type { Random } from '../../lib/random.js';
import type { RefreshTokenRecord } from '../../storage/records/refresh-token.js';
import { isPublicClient } from '../clients/client.js';
import type { IssueTokensRequest } from './token-issuer.js';

export interface MintedRefreshToken {
  readonly token: string;
  readonly record: RefreshTokenRecord;
}

/**
 * Mints a refresh token for `grantId` at `now`. A new family ends after the absolute lifetime (the client's
 * refreshTokenTtlSeconds, else the server's); a rotated token continues its family's end; each token also ends after
 * the idle lifetime.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function mintRefreshToken(request: IssueTokensRequest, grantId: string, now: number, deps: { config: Config; random: Random }): MintedRefreshToken {
  const { tokens } = deps.config;
  const absoluteExpiresAt =
    request.refreshTokenAbsoluteExpiresAt ?? now + (request.client.policy.refreshTokenTtlSeconds ?? tokens.refreshTokenAbsoluteSeconds) * 1000;
  const token = deps.random.token(32);
  return {
    token,
    record: {
      hash: hashSecret(token),
      grantId,
      clientId: request.client.clientId,
      ...(request.subject !== undefined && { subject: request.subject }),
      scope: request.refreshTokenScope ?? request.scope,
      // RFC 9449 §5: a public client's refresh token is bound to its DPoP key; a confidential client's is already
      // sender-constrained by client authentication, so it may switch keys.
      ...(request.dpopJkt !== undefined && isPublicClient(request.client) && { dpopJkt: request.dpopJkt }),
      issuedAt: now,
      expiresAt: Math.min(now + tokens.refreshTokenIdleSeconds * 1000, absoluteExpiresAt),
      absoluteExpiresAt,
    },
  };
}
