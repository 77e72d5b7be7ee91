// A refresh token as recorded (RFC 6749 §6, RFC 9700 §4.14.2): by its SHA-256 only, bound to a client and a grant.
export interface RefreshTokenRecord {
  /** SHA-256 (base64url) of the token. */
  readonly hash: string;
  readonly grantId: string;
  readonly clientId: string;
  readonly subject?: string;
  /** What it may be exchanged for: the grant's scope (RFC 6749 §6: never more). */
  readonly scope: readonly string[];
  readonly dpopJkt?: string;
  readonly issuedAt: number;
  /** The idle limit: issuedAt + idle lifetime, never past absoluteExpiresAt. */
  readonly expiresAt: number;
  /** The end of the family, carried unchanged from token to token. */
  readonly absoluteExpiresAt: number;
  /** Set once, when it was exchanged; presenting it again is reuse. */
  readonly rotatedAt?: number;
  /** The hash of the token it was rotated into. */
  readonly successorHash?: string;
  readonly revokedAt?: number;
}
