// An authorization code (RFC 6749 §4.1.2): stored by hash, single-use, bound to everything the token request must match.
export interface AuthorizationCodeRecord {
  /** SHA-256 of the code. */
  readonly hash: string;
  readonly clientId: string;
  /** The grant every token issued from this code belongs to; revoked when the code is replayed. */
  readonly grantId: string;
  readonly subject: string;
  readonly redirectUri: string;
  readonly redirectUriProvided: boolean;
  /** RFC 7636 §4.4: the S256 challenge. */
  readonly codeChallenge?: string;
  /** RFC 9449 §10: only a token request with a DPoP proof by this key may redeem the code. */
  readonly dpopJkt?: string;
  readonly nonce?: string;
  readonly scope: readonly string[];
  readonly authTime: number;
  readonly acr?: string;
  readonly amr: readonly string[];
  readonly sessionId?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly consumedAt?: number;
}
