// A grant: one authorization a user (or, for client_credentials, the client itself) gave one client. Every code,
// access token and refresh token belongs to one grant, so revoking the grant revokes the family (RFC 6749 §4.1.2,
// RFC 9700 §4.14.2, RFC 7009 §2.1).
export interface GrantRecord {
  readonly id: string;
  readonly clientId: string;
  /** The user's `sub`; absent for client_credentials. */
  readonly subject?: string;
  readonly scope: readonly string[];
  /** RFC 8707 resource indicators granted. */
  readonly resources: readonly string[];
  /** The login session that gave it (for back-channel logout and `sid`). */
  readonly sessionId?: string;
  readonly authTime?: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
  readonly createdAt: number;
  /**
   * When nothing issued under it can be live any more; the clean-up deletes it (with its tokens) then. Set it at
   * create to what the grant covers so far (e.g. the code's expiry); each issuance extends it to the latest token's.
   * Absent: kept until revoked.
   */
  readonly expiresAt?: number;
  /** When tokens were last issued under it (connected apps: "last used"). */
  readonly lastUsedAt?: number;
  readonly revokedAt?: number;
}
