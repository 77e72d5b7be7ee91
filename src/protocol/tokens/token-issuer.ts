// What every grant calls to mint tokens (RFC 6749 §5.1): the access token (RFC 9068 JWT or opaque) and,
// when allowed, a refresh token, all recorded under one grant so they can be revoked together.
import type { Client } from '../clients/client.js';

export interface IssueTokensRequest {
  readonly client: Client;
  readonly grantId: string;
  /** The user's `sub`; absent for client_credentials (then `sub` is the client_id, RFC 9068 §2.2). */
  readonly subject?: string;
  readonly scope: readonly string[];
  /** RFC 8707 audiences; empty means the server's default audience. */
  readonly resources: readonly string[];
  readonly authTime?: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
  readonly sessionId?: string;
  /** Whether a refresh token is issued alongside (offline_access or client policy, never for client_credentials). */
  readonly refreshToken: boolean;
  /** RFC 9449 §6: the JWK thumbprint the tokens are bound to. */
  readonly dpopJkt?: string;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly tokenType: 'Bearer' | 'DPoP';
  readonly expiresIn: number;
  readonly scope: readonly string[];
  readonly refreshToken?: string;
}

/** RFC 6749 §5.1 successful response (plus id_token, OIDC Core §3.1.3.3; issued_token_type, RFC 8693 §2.2.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer' | 'DPoP' | 'N_A';
  readonly expires_in: number;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly issued_token_type?: string;
}

export interface TokenIssuer {
  issue(request: IssueTokensRequest): Promise<IssuedTokens>;
}
