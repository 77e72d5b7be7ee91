// The one error type the protocol core throws. Codes from RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1,
// RFC 7009 §2.2.1, RFC 7591 §3.2.2, RFC 8628 §3.5, RFC 8707 §2, RFC 9449 §5, OIDC Core §3.1.2.6.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'invalid_target'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'server_error'
  | 'temporarily_unavailable';

/**
 * Where an authorization endpoint error goes once client_id and redirect_uri are verified (RFC 6749 §4.1.2.1);
 * until then errors are shown on the server's own page and never redirected.
 */
export interface AuthorizationErrorRedirect {
  readonly redirectUri: string;
  readonly responseMode: 'query' | 'fragment' | 'form_post';
  /** Echoed byte-exact when the request had one. */
  readonly state?: string;
  /** RFC 9207 §2: the `iss` parameter. */
  readonly issuer: string;
}

/** A failure the client may see. Anything else is reported as server_error. */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description?: string, // becomes error_description: ASCII, no secrets
    options?: { cause?: unknown; headers?: Record<string, string>; redirect?: AuthorizationErrorRedirect }, // cause is logged, never sent
  ) {
    super(description ?? code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.headers = options?.headers ?? {};
    if (options?.redirect !== undefined) this.redirect = options.redirect;
  }

  /** Extra response headers the error needs (WWW-Authenticate, Retry-After, DPoP-Nonce). */
  readonly headers: Record<string, string>;

  /** Set only by the authorization endpoint, after it verified client_id and redirect_uri. */
  readonly redirect?: AuthorizationErrorRedirect;

  /** The same error, to be sent to the client's verified redirect URI. */
  redirectTo(target: AuthorizationErrorRedirect): OAuthError {
    return new OAuthError(this.code, this.description, { cause: this.cause, headers: this.headers, redirect: target });
  }
}

export const invalidRequest = (why: string): OAuthError => new OAuthError('invalid_request', why);
export const invalidGrant = (why: string): OAuthError => new OAuthError('invalid_grant', why);
export const invalidClient = (why: string): OAuthError => new OAuthError('invalid_client', why);
export const invalidScope = (why: string): OAuthError => new OAuthError('invalid_scope', why);
export const invalidClientMetadata = (why: string): OAuthError => new OAuthError('invalid_client_metadata', why);
export const invalidRedirectUri = (why: string): OAuthError => new OAuthError('invalid_redirect_uri', why);
