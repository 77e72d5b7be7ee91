// The one typed configuration object (STYLE.md "Config"): merged flags > environment > file > defaults, validated at boot.

export type RegistrationMode = 'off' | 'token' | 'open';
export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type PkceRequirement = 'all' | 'public';
export type AccessTokenFormatSetting = 'jwt' | 'opaque';
export type AuditTokenIssued = 'all' | 'user';

/** A protected resource the server issues tokens for (RFC 8707 §2): its URI becomes the access token's `aud`. */
export interface ResourceServerConfig {
  /** Absolute URI without a fragment (RFC 8707 §2). */
  readonly uri: string;
  /** The scopes this resource accepts; an access token for it carries only these. Absent: any scope. */
  readonly scopes?: readonly string[];
  /** Overrides the client's access token format: a resource that cannot introspect needs `jwt`, and vice versa. */
  readonly accessTokenFormat?: AccessTokenFormatSetting;
  /** Caps the access token lifetime for this resource. */
  readonly accessTokenTtlSeconds?: number;
  /** The client_ids this resource server authenticates with: they may introspect tokens whose `aud` names it (RFC 7662 §4). */
  readonly clients?: readonly string[];
}

/** The endpoints with a rate limit (issue 9 item 4). */
export type RateLimitedEndpoint = 'registration' | 'token' | 'introspection' | 'revocation' | 'par' | 'login' | 'device';

/** Hits per window per IP and per client (0: no limit of that kind). */
export interface RateLimitRule {
  readonly perIp: number;
  readonly perClient: number;
  readonly windowSeconds: number;
}

export interface Config {
  /** RFC 8414 §2: https URL, no query or fragment; http only on loopback (RFC 8252 §8.3 spirit, for development). */
  readonly issuer: string;
  readonly host: string;
  /**
   * RFC 9700 §4.13: whose X-Forwarded-For to believe. `false`: nobody, the peer address is the client. A list: only
   * requests whose peer is one of these addresses/ranges. A number: that many hops (only when nothing bypasses the proxy).
   */
  readonly trustProxy: false | number | readonly string[];
  readonly port: number;
  readonly dataDir: string;
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…` */
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  /** The master key itself; when absent, a key file in dataDir is used (created on first start, mode 0600). */
  readonly masterKey: string | undefined;
  readonly registration: RegistrationMode;
  readonly adminHost: string;
  readonly adminPort: number | undefined;
  readonly adminToken: string | undefined;
  readonly logLevel: LogLevel;
  readonly keys: {
    /** Signs access tokens (RFC 9068). ES256 is ~10x cheaper to sign than RS256. */
    readonly accessTokenAlg: SigningAlg;
    /** Signs id_tokens. OIDC Core §15.1 requires RS256 support, so it is the default. */
    readonly idTokenAlg: SigningAlg;
    /** A rotated key is published this long before it signs, so verifiers' JWKS caches pick it up first. */
    readonly prePublicationSeconds: number;
    /** A retired key stays in the JWKS this long: at least the lifetime of any JWT it signed. */
    readonly retentionSeconds: number;
    /** How often a process rereads the key list, to see a rotation made by the CLI or another process. */
    readonly refreshSeconds: number;
  };
  readonly shutdownTimeoutSeconds: number;
  /** Hosts (`name`, `*.suffix`), IPs and CIDR ranges outbound requests may reach although not public (issue 9). */
  readonly outboundAllow: readonly string[];
  readonly audit: {
    /**
     * Which token issuances are written to the audit log: `all`, or `user` (tokens for a person; not client_credentials
     * and other machine tokens, which can be thousands a second).
     */
    readonly tokenIssued: AuditTokenIssued;
  };
  /** Per-endpoint rate limits; LATCHKEY_RATE_LIMITS (JSON) overrides single members. */
  readonly rateLimits: Readonly<Record<RateLimitedEndpoint, RateLimitRule>>;
  readonly tokens: {
    /** Access token lifetime unless the client's policy or the resource says otherwise (RFC 9700 §2.2.2: short-lived). */
    readonly accessTokenTtlSeconds: number;
    /** A refresh token unused this long expires (RFC 9700 §4.14.2). Each rotation starts a new idle period. */
    readonly refreshTokenIdleSeconds: number;
    /** A refresh token family ends this long after its first token, however often it is rotated (RFC 9700 §4.14.2). */
    readonly refreshTokenAbsoluteSeconds: number;
    /** How long a rotated refresh token may be presented again without revoking its family (0: never). */
    readonly refreshReuseGraceSeconds: number;
  };
  /** The `aud` of access tokens requested without a resource indicator (default: the issuer). */
  readonly defaultAudience: string;
  /** RFC 8707 resources; a `resource` parameter naming anything else is `invalid_target`. */
  readonly resources: readonly ResourceServerConfig[];
  readonly gc: {
    /** How often each server process deletes expired rows (0: never; `latchkey gc` runs it by hand). */
    readonly intervalSeconds: number;
    /** Rows deleted per statement, so no sweep holds a lock for long. */
    readonly batchSize: number;
  };
  /** RFC 9449 (DPoP). */
  readonly dpop: {
    /** How far a proof's `iat` may be from now, either way (§11.1); its jti is remembered that long. */
    readonly proofMaxAgeSeconds: number;
    /** Proofs must carry a nonce this server handed out (§8, §9). */
    readonly requireNonce: boolean;
    /** A nonce is accepted for between one and two of these. */
    readonly nonceLifetimeSeconds: number;
  };
  readonly clients: {
    /** How long a rotated-out client secret keeps working (0: it stops at once). CLI --grace overrides it. */
    readonly secretRotationGraceSeconds: number;
    /** Accept http jwks_uri on 127.0.0.1/[::1] (tests and local development only; logged at start). */
    readonly allowLoopbackJwksUri: boolean;
  };
  /** The look of the login, consent and error pages. */
  readonly ui: {
    readonly productName: string;
    /** An https (or loopback http) URL of the logo shown on every page. */
    readonly logoUrl: string | undefined;
    /** `#rrggbb`; white text on it must reach WCAG 2.1 AA contrast (4.5:1). */
    readonly primaryColor: string;
  };
  /**
   * The legacy grants OAuth 2.0 still names (RFC 6749 §4.2 implicit, §4.3 password), deprecated by RFC 9700 §2.1.2 and
   * §2.4. Off unless turned on here AND allowed in the client's policy; logged at start when on.
   */
  readonly legacyGrants: {
    readonly implicit: boolean;
    readonly password: boolean;
  };
  /** Login sessions at Latchkey (the cookie): ended after this much inactivity, and at the latest after the absolute lifetime. */
  readonly sessions: {
    readonly idleSeconds: number;
    readonly absoluteSeconds: number;
  };
  /** OIDC Back-Channel Logout 1.0: delivery of logout tokens from the durable queue. */
  readonly backchannelLogout: {
    /** Send to http://127.0.0.1 / [::1] and private addresses (tests and local development only; logged at start). */
    readonly allowLoopback: boolean;
    /** How often each process looks for due notifications. */
    readonly pollMs: number;
    /** Per-request timeout. */
    readonly timeoutMs: number;
    /** Attempts before a notification is given up. */
    readonly maxAttempts: number;
  };
  /** The authorization endpoint (RFC 6749 §4.1, RFC 7636, RFC 9126). */
  readonly authorization: {
    readonly codeTtlSeconds: number;
    /** Which clients must send a PKCE code_challenge: all of them, or only public clients. */
    readonly pkceRequired: PkceRequirement;
    /** RFC 9126 §5: every client must push its authorization requests. */
    readonly requirePushedAuthorizationRequests: boolean;
    readonly pushedRequestTtlSeconds: number;
    /** How long a person has to sign in and consent before the request must start again. */
    readonly interactionTtlSeconds: number;
    readonly idTokenTtlSeconds: number;
  };
}
