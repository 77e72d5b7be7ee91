// What every grant calls to mint tokens (RFC 6749 §5.1): the access token (RFC 9068 JWT or opaque) and,
// when allowed, a refresh token, all recorded under one grant so they can be revoked together.
import type { ActorClaim } from '../../storage/records/access-token.js';
import type { Client } from '../clients/client.js';

/** What the token.issued audit event records besides the client and subject (issue 9 item 8): never a token value. */
export interface IssuanceAudit {
  readonly grantType: string;
  /** An ID Token is signed alongside (outside the issuer). */
  readonly idToken?: boolean;
  readonly ip?: string;
  readonly userAgent?: string;
}

export interface IssueTokensRequest {
  readonly client: Client;
  /** Recorded as a token.issued audit event in the same transaction as the tokens. */
  readonly audit: IssuanceAudit;
  /**
   * The grant the tokens belong to (see Grants in storage.ts). Absent only for client_credentials: those tokens
   * have no family and no refresh token, and are recorded (and revocable) one by one.
   */
  readonly grantId?: string;
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
  /** The refresh token's scope when it differs from the access token's (RFC 6749 §6: narrowing at refresh keeps the grant's). */
  readonly refreshTokenScope?: readonly string[];
  /** The end of the refresh token family being continued; default now + the absolute lifetime (a new family). */
  readonly refreshTokenAbsoluteExpiresAt?: number;
  /** RFC 8693 §4.1: the actor of a delegated (exchanged) token. */
  readonly act?: ActorClaim;
  /** Epoch ms the access token may not outlive (RFC 8693: an exchanged token ends with its subject token). */
  readonly accessTokenExpiresAtMost?: number;
  /**
   * SHA-256 of the authorization code these tokens are issued for, marked used in the same transaction as they are
   * written (RFC 6749 §4.1.2): a concurrent redemption that finds the code used also finds the tokens, and revokes them.
   */
  readonly redeemsCode?: string;
}

/** Issuance that replaces a refresh token (RFC 6749 §6, RFC 9700 §4.14.2). */
export interface RotateTokensRequest extends IssueTokensRequest {
  readonly grantId: string;
  readonly refreshToken: true;
  /** SHA-256 of the refresh token presented. */
  readonly rotates: string;
  readonly refreshTokenAbsoluteExpiresAt: number;
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
  /**
   * Mints the access token (and a refresh token when asked) and records them under the grant in one transaction.
   * Throws invalid_grant when the grant is revoked (even if that happened a moment ago in another process), or when
   * `redeemsCode` was already used; nothing is then written.
   */
  issue(request: IssueTokensRequest): Promise<IssuedTokens>;
  /**
   * Like issue(), and in the same transaction marks `rotates` used: resolves undefined, issuing nothing, when that
   * refresh token was already rotated or revoked (the caller lost a race, or it is a replay).
   */
  rotate(request: RotateTokensRequest): Promise<IssuedTokens | undefined>;
}
