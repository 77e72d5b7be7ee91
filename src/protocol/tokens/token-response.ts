// The successful token response: RFC 6749 §5.1 (plus id_token, OIDC Core §3.1.3.3).
import { formatScope } from '../scope.js';
import type { IssuedTokens, TokenResponse } from './token-issuer.js';

/**
 * The response body for `issued`. `scope` is always sent when non-empty: RFC 6749 §5.1 requires it whenever it
 * differs from the request, and a resource may have narrowed it (RFC 8707).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function tokenResponse(issued: IssuedTokens, extra: { idToken?: string } = {}): TokenResponse {
  return {
    access_token: issued.accessToken,
    token_type: issued.tokenType,
    expires_in: issued.expiresIn,
    ...(issued.scope.length > 0 && { scope: formatScope(issued.scope) }),
    ...(issued.refreshToken !== undefined && { refresh_token: issued.refreshToken }),
    ...(extra.idToken !== undefined && { id_token: extra.idToken }),
  };
}
