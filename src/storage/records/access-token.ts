// An issued access token as recorded (RFC 7662 §2.2 needs all of this to answer; RFC 7009 §2.1 to revoke).
// The token itself is never stored: an opaque token by its SHA-256, an RFC 9068 JWT by its `jti`.
export type AccessTokenRecordFormat = 'opaque' | 'jwt';

export interface AccessTokenRecord {
  /** SHA-256 (base64url) of an opaque token, or a JWT's `jti`. */
  readonly id: string;
  readonly format: AccessTokenRecordFormat;
  readonly clientId: string;
  /** Absent for client_credentials: no grant, no family. */
  readonly grantId?: string;
  /** The user's `sub`; absent for client_credentials. */
  readonly subject?: string;
  readonly scope: readonly string[];
  /** The `aud` values (RFC 8707 resources, or the default audience). */
  readonly audience: readonly string[];
  /** RFC 9449 §6.1: the JWK thumbprint a DPoP-bound token is bound to. */
  readonly dpopJkt?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly revokedAt?: number;
  /** RFC 8693 §4.1: who acts for the subject (token exchange), as the `act` claim, nested for earlier actors. */
  readonly act?: ActorClaim;
}

/** RFC 8693 §4.1: the acting party, and the one before it in `act`. */
export interface ActorClaim {
  readonly sub: string;
  readonly client_id?: string;
  readonly act?: ActorClaim;
}
