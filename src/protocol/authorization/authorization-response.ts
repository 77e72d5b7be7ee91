// The authorization response: RFC 6749 §4.1.2 (code, state), §4.1.2.1 (errors), RFC 9207 §2 (iss), and its encodings:
// OAuth 2.0 Multiple Response Type Encoding Practices §2.1 (query, fragment), OAuth 2.0 Form Post Response Mode §2.
import type { AuthorizationErrorRedirect, OAuthError } from '../errors.js';
import type { AuthorizationRequest, AuthorizationResponse } from './authorization-request.js';

/** A successful response carrying `code`. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 */
export function codeResponse(target: AuthorizationErrorRedirect, code: string): AuthorizationResponse {
  return {
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    params: { code, ...(target.state !== undefined && { state: target.state }), iss: target.issuer },
  };
}

/** An error response. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 */
export function errorResponse(target: AuthorizationErrorRedirect, error: OAuthError): AuthorizationResponse {
  return {
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    params: {
      error: error.code,
      ...(error.description !== undefined && { error_description: error.description }),
      ...(target.state !== undefined && { state: target.state }),
      iss: target.issuer,
    },
  };
}

/**
 * The URL to redirect to for `query` and `fragment`. The registered URI is kept as registered (its own query
 * survives, RFC 6749 §3.1.2), and the parameters are form-encoded after it.
 */
export function responseLocation(response: AuthorizationResponse): string {
  const encoded = new URLSearchParams(response.params).toString();
  if (response.responseMode === 'fragment') return `${response.redirectUri}#${encoded}`;
  return `${response.redirectUri}${response.redirectUri.includes('?') ? '&' : '?'}${encoded}`;
}

/** Where the response to a validated request goes. */
export function responseTarget(
  request: Pick<AuthorizationRequest, 'redirectUri' | 'responseMode' | 'state'>,
  issuer: string,
): AuthorizationErrorRedirect {
  return { redirectUri: request.redirectUri, responseMode: request.responseMode, ...(request.state !== undefined && { state: request.state }), issuer };
}
