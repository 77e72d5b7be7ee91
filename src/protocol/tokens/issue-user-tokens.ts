// The tokens for a grant a person approved (authorization code, device code): RFC 6749 §5.1, with the refresh token
// per the client's policy (OIDC Core §11) and the ID Token when openid was asked for (OIDC Core §3.1.3.3).
import type { UserRecord } from '../../storage/records/user.js';
import type { Client } from '../clients/client.js';
import type { ProtocolDeps } from '../deps.js';
import { signIdToken } from './id-token.js';
import type { IssuanceAudit, TokenResponse } from './token-issuer.js';
import { tokenResponse } from './token-response.js';

export interface UserGrant {
  readonly client: Client;
  /** The token.issued audit event's grant type and origin (whether an ID Token goes along is decided here). */
  readonly audit: Omit<IssuanceAudit, 'idToken'>;
  readonly user: UserRecord;
  readonly grantId: string;
  readonly scope: readonly string[];
  /** RFC 8707 §2.2: the audience of the access token (none: the default audience). */
  readonly resources?: readonly string[];
  readonly nonce?: string;
  /** Epoch ms of the login. */
  readonly authTime: number;
  readonly acr?: string;
  readonly amr: readonly string[];
  readonly sessionId?: string;
  /** RFC 9449 §5: the DPoP key the tokens are bound to. */
  readonly dpopJkt?: string;
  /** The authorization code being redeemed: used up in the transaction that writes the tokens (TokenIssuer). */
  readonly redeemsCode?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
export async function issueUserTokens(grant: UserGrant, deps: ProtocolDeps): Promise<TokenResponse> {
  const { client, user, scope } = grant;
  const login = {
    authTime: grant.authTime,
    ...(grant.acr !== undefined && { acr: grant.acr }),
    amr: grant.amr,
    ...(grant.sessionId !== undefined && { sessionId: grant.sessionId }),
  };
  // OIDC Core §11: offline_access asks for a refresh token; a client's policy may always want one.
  const refreshToken = client.metadata.grant_types.includes('refresh_token') && (scope.includes('offline_access') || client.policy.alwaysIssueRefreshToken === true);
  const issued = await deps.tokens.issue({ client, audit: { ...grant.audit, idToken: scope.includes('openid') }, grantId: grant.grantId, subject: user.sub, scope, resources: grant.resources ?? [], ...login, refreshToken, ...(grant.dpopJkt !== undefined && { dpopJkt: grant.dpopJkt }), ...(grant.redeemsCode !== undefined && { redeemsCode: grant.redeemsCode }) });
  const idToken = scope.includes('openid')
    ? await signIdToken({ client, user, scope, ...(grant.nonce !== undefined && { nonce: grant.nonce }), ...login, accessToken: issued.accessToken }, deps)
    : undefined;
  return tokenResponse(issued, idToken === undefined ? {} : { idToken });
}
