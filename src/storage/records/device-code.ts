// A device authorization (RFC 8628 §3.2): the device code (by hash), its user code (by hash), and what the user decided.

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied';

/** Who approved, and how they signed in: copied into the grant and the tokens (OIDC Core §2 auth_time, acr, amr). */
export interface DeviceApproval {
  readonly grantId: string;
  readonly subject: string;
  readonly sessionId: string;
  readonly authTime: number;
  readonly acr?: string;
  readonly amr: readonly string[];
}

export interface DeviceCodeRecord {
  /** SHA-256 of the device code (256-bit random). */
  readonly deviceCodeHash: string;
  /** SHA-256 of the normalised user code (eight letters, no dash). */
  readonly userCodeHash: string;
  readonly clientId: string;
  readonly scope: readonly string[];
  readonly status: DeviceCodeStatus;
  /** The polling interval now in force (RFC 8628 §3.5: grows by 5 s on slow_down). */
  readonly intervalSeconds: number;
  readonly lastPolledAt?: number;
  readonly approval?: DeviceApproval;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set once, when tokens were issued for it. */
  readonly consumedAt?: number;
}
