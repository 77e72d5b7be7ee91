// Who is calling: what a verified access token (RFC 9068 §2.2 claims, or RFC 7662 §2.2 introspection) says.

export interface Principal {
  /** `sub`: the user, or the client itself for client_credentials (RFC 9068 §2.2). */
  readonly subject: string;
  readonly clientId: string;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  /** How the token was presented: `DPoP` when it is sender-constrained (RFC 9449 §7). */
  readonly tokenType: 'Bearer' | 'DPoP';
  /** The JWT payload, or the introspection response. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly expiresAt: Date;
  /** RFC 9449 §6: the JWK SHA-256 thumbprint the token is bound to. */
  readonly cnf?: { readonly jkt: string };
}

/** What one route needs of a token, on top of what the verifier checks for every request. */
export interface Requirements {
  /** Every one of these scopes must be granted (RFC 6750 §3.1 insufficient_scope otherwise). */
  readonly scopes?: readonly string[];
  /** The token's `aud` must name at least one of these; replaces the verifier's audience for this route. */
  readonly audience?: string | readonly string[];
}
