// The one typed configuration object (STYLE.md "Config"): merged flags > environment > file > defaults, validated at boot.

export type RegistrationMode = 'off' | 'token' | 'open';
export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

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
  };
  readonly shutdownTimeoutSeconds: number;
  /** Hosts (`name`, `*.suffix`), IPs and CIDR ranges outbound requests may reach although not public (issue 9). */
  readonly outboundAllow: readonly string[];
  /** Per-endpoint rate limits; LATCHKEY_RATE_LIMITS (JSON) overrides single members. */
  readonly rateLimits: Readonly<Record<RateLimitedEndpoint, RateLimitRule>>;
  readonly clients: {
    /** How long a rotated-out client secret keeps working (0: it stops at once). CLI --grace overrides it. */
    readonly secretRotationGraceSeconds: number;
    /** Accept http jwks_uri on 127.0.0.1/[::1] (tests and local development only; logged at start). */
    readonly allowLoopbackJwksUri: boolean;
  };
}
