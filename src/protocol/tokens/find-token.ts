// Finds the record of a token presented at introspection (RFC 7662 §2.1) or revocation (RFC 7009 §2.1), of either
// kind, using token_type_hint only to choose the order of the look-ups.
import type { AccessTokenRecord } from '../../storage/records/access-token.js';
import type { RefreshTokenRecord } from '../../storage/records/refresh-token.js';
import type { ProtocolDeps } from '../deps.js';
import { hashSecret } from '../../lib/hash.js';
import { verifyOwnJwt } from '../keys/verify-jwt.js';

export type FoundToken = { readonly kind: 'access_token'; readonly record: AccessTokenRecord } | { readonly kind: 'refresh_token'; readonly record: RefreshTokenRecord };

export type TokenTypeHint = 'access_token' | 'refresh_token';

/**
 * The record behind `token`, whatever its state (the caller judges expiry and revocation), or undefined.
 * A JWT is ours only if its signature verifies with one of our published keys and it carries our `iss`; it is then
 * found by `jti`. Anything else is looked up by its SHA-256, in the order the hint suggests (RFC 7009 §2.1: a wrong
 * hint only costs a second look-up).
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export async function findToken(token: string, hint: TokenTypeHint | undefined, deps: Pick<ProtocolDeps, 'config' | 'storage' | 'keys'>): Promise<FoundToken | undefined> {
  const { storage } = deps;
  if (token.includes('.')) {
    // Opaque tokens are base64url, never dotted: a dotted token can only be one of our JWTs.
    const claims = await verifyOwnJwt(token, deps.keys, 'at+jwt');
    if (claims === undefined || claims.iss !== deps.config.issuer || typeof claims.jti !== 'string') return undefined;
    const record = await storage.accessTokens.find(claims.jti);
    return record?.format === 'jwt' ? { kind: 'access_token', record } : undefined;
  }
  const hash = hashSecret(token);
  const findAccess = async (): Promise<FoundToken | undefined> => {
    const record = await storage.accessTokens.find(hash);
    return record?.format === 'opaque' ? { kind: 'access_token', record } : undefined;
  };
  const findRefresh = async (): Promise<FoundToken | undefined> => {
    const record = await storage.refreshTokens.find(hash);
    return record === undefined ? undefined : { kind: 'refresh_token', record };
  };
  return hint === 'refresh_token' ? ((await findRefresh()) ?? (await findAccess())) : ((await findAccess()) ?? (await findRefresh()));
}
