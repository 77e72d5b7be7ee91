// The registered client record: RFC 7591 §2 metadata, the OIDC Dynamic Registration fields Latchkey uses (OIDC
// Registration §2, RP-Initiated Logout §3.1, Back-Channel Logout §2.2) and Latchkey's own per-client policy.

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';

export type AccessTokenFormat = 'jwt' | 'opaque';

/** Metadata as registered, in the wire names of RFC 7591 §2 (it is what registration returns). */
export interface ClientMetadata {
  readonly redirect_uris: readonly string[];
  readonly grant_types: readonly string[];
  readonly response_types: readonly string[];
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod;
  readonly token_endpoint_auth_signing_alg?: string;
  readonly client_name?: string;
  readonly client_uri?: string;
  readonly logo_uri?: string;
  readonly scope?: string;
  readonly contacts?: readonly string[];
  readonly tos_uri?: string;
  readonly policy_uri?: string;
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  readonly jwks_uri?: string;
  readonly software_id?: string;
  readonly software_version?: string;
  readonly post_logout_redirect_uris?: readonly string[];
  readonly backchannel_logout_uri?: string;
  readonly backchannel_logout_session_required?: boolean;
  readonly id_token_signed_response_alg?: string;
  readonly subject_type?: 'public' | 'pairwise';
  readonly default_max_age?: number;
  readonly require_auth_time?: boolean;
  /** RFC 9126 §6 */
  readonly require_pushed_authorization_requests?: boolean;
  /** RFC 9449 §5.2 */
  readonly dpop_bound_access_tokens?: boolean;
}

/** Latchkey's own per-client policy (not RFC 7591 metadata; set by an administrator). */
export interface ClientPolicy {
  readonly accessTokenFormat: AccessTokenFormat;
  /** Overrides of the server-wide lifetimes, in seconds. */
  readonly accessTokenTtlSeconds?: number;
  readonly refreshTokenTtlSeconds?: number;
  /** Legacy grants this client may use when they are also on server-wide (RFC 9700 §2.1.2, §2.4). */
  readonly allowedLegacyGrants: readonly ('implicit' | 'password')[];
  /** Issue a refresh token even without offline_access. */
  readonly alwaysIssueRefreshToken?: boolean;
  /** Consent is implied (first-party clients). */
  readonly skipConsent?: boolean;
  /** RFC 8693: what this client may get by token exchange. Absent: nothing (unauthorized_client). */
  readonly tokenExchange?: TokenExchangePolicy;
}

/** RFC 8693 §2.1, §5: the audiences (configured resource URIs) and scopes a client may exchange tokens for. */
export interface TokenExchangePolicy {
  readonly audiences: readonly string[];
  /** The scopes an exchanged token may carry (always also within the subject token's). Absent: any. */
  readonly scopes?: readonly string[];
  /** Tokens without `act` (the client acting as the subject itself, RFC 8693 §1.1); otherwise the client is the actor. */
  readonly allowImpersonation?: boolean;
}

export interface Client {
  readonly clientId: string;
  readonly metadata: ClientMetadata;
  readonly policy: ClientPolicy;
  /** SHA-256 of the current secret (confidential clients using a secret). */
  readonly secretHash?: string;
  /** The previous secret's hash, valid until `previousSecretExpiresAt` (rotation grace). */
  readonly previousSecretHash?: string;
  readonly previousSecretExpiresAt?: number;
  /** The secret sealed with the master key: only for client_secret_jwt, which needs it as an HMAC key. */
  readonly sealedSecret?: string;
  /** The previous secret sealed, while its grace period lasts (client_secret_jwt only). */
  readonly previousSealedSecret?: string;
  /** RFC 7592 §3: SHA-256 of the registration access token, for dynamically registered clients. */
  readonly registrationAccessTokenHash?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}
