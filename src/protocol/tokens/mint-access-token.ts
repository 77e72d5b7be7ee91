// Access tokens: RFC 9068 JWTs (typ at+jwt) or opaque 256-bit random strings, each with the record that lets it be
// introspected (RFC 7662) and revoked (RFC 7009). Neither form is stored as issued.
import type { Config } from '../../config/config.js';
import { toEpochSeconds } from '../../lib/clock.js';
import { hashSecret } from '../../lib/hash.js';
import type { Random } from '../../lib/random.js';
import type { AccessTokenRecord } from '../../storage/records/access-token.js';
import type { KeyRing } from '../keys/key-ring.js';
import { signJwt } from '../keys/sign-jwt.js';
import { formatScope } from '../scope.js';
import type { AccessTokenPolicy } from './access-token-policy.js';
import type { IssueTokensRequest } from './token-issuer.js';

export interface MintedAccessToken {
  readonly token: string;
  readonly record: AccessTokenRecord;
}

export interface MintAccessTokenDeps {
  readonly config: Config;
  readonly random: Random;
  readonly keys: KeyRing;
}

/**
 * Mints one access token at `now` under `policy`. JWT claims per RFC 9068 §2.2: `sub` is the user, or the client
 * itself for client_credentials; `cnf.jkt` binds a DPoP token (RFC 9449 §6.1).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 */
export function mintAccessToken(request: IssueTokensRequest, policy: AccessTokenPolicy, now: number, deps: MintAccessTokenDeps): MintedAccessToken {
  const expiresAt = Math.min(now + policy.ttlSeconds * 1000, request.accessTokenExpiresAtMost ?? Number.POSITIVE_INFINITY);
  const base = {
    format: policy.format,
    clientId: request.client.clientId,
    ...(request.grantId !== undefined && { grantId: request.grantId }),
    ...(request.subject !== undefined && { subject: request.subject }),
    scope: policy.scope,
    audience: policy.audience,
    ...(request.dpopJkt !== undefined && { dpopJkt: request.dpopJkt }),
    ...(request.act !== undefined && { act: request.act }),
    issuedAt: now,
    expiresAt,
  };
  if (policy.format === 'opaque') {
    const token = deps.random.token(32); // 256 bits (RFC 9700 §4.1.1 spirit): a SHA-256 of it is safe to store
    return { token, record: { id: hashSecret(token), ...base } };
  }
  const jti = deps.random.token(16);
  const claims: Record<string, unknown> = {
    iss: deps.config.issuer,
    sub: request.subject ?? request.client.clientId,
    aud: policy.audience.length === 1 ? policy.audience[0] : policy.audience,
    exp: toEpochSeconds(expiresAt),
    iat: toEpochSeconds(now),
    jti,
    client_id: request.client.clientId,
  };
  if (policy.scope.length > 0) claims.scope = formatScope(policy.scope);
  if (request.authTime !== undefined) claims.auth_time = toEpochSeconds(request.authTime);
  if (request.acr !== undefined) claims.acr = request.acr;
  if (request.amr !== undefined) claims.amr = request.amr;
  if (request.dpopJkt !== undefined) claims.cnf = { jkt: request.dpopJkt };
  if (request.act !== undefined) claims.act = request.act; // RFC 8693 §4.1
  const token = signJwt(claims, deps.keys.signingKey(deps.config.keys.accessTokenAlg), 'at+jwt');
  return { token, record: { id: jti, ...base } };
}
