// A login session at Latchkey (OIDC Core §3.1.2.3 "authenticates the End-User"; Session Management's `sid`).
// The browser holds a random secret in a cookie; the database holds only its hash.
export interface SessionRecord {
  /** The public session id, sent as `sid` in id_tokens (OIDC Front/Back-Channel Logout). Not the cookie value. */
  readonly id: string;
  /** SHA-256 of the cookie secret. */
  readonly secretHash: string;
  readonly subject: string;
  /** When the person last actively signed in (OIDC Core §2 auth_time), epoch ms. */
  readonly authTime: number;
  /** RFC 8176 authentication method references, e.g. ["pwd"]. */
  readonly amr: readonly string[];
  readonly acr?: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** The absolute end of the session, epoch ms. */
  readonly expiresAt: number;
}

/** Consecutive failed logins for one key (an account identifier or an IP address). */
export interface LoginFailures {
  readonly key: string;
  readonly failures: number;
  readonly lastFailureAt: number;
}
