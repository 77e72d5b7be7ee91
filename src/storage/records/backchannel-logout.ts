// One back-channel logout notification waiting in the durable queue (OIDC Back-Channel Logout 1.0 §2.7): the logout
// token is signed when it is sent, so a retry carries a fresh iat/exp/jti.
export interface BackchannelLogoutRecord {
  readonly id: string;
  readonly clientId: string;
  /** The user (`sub` of the logout token). */
  readonly subject?: string;
  /** The ended session (`sid` of the logout token); absent when a grant without a session was revoked. */
  readonly sessionId?: string;
  readonly createdAt: number;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
}
