// Input limits, one table for every endpoint (issue 9 item 2; RFC 6749 §3.1 and §3.2 on parameters, RFC 9700 §4.x on
// bounding what an attacker can make the server do). The HTTP layer enforces the transport limits before any
// parsing work; protocol code enforces the per-parameter ones where it reads the parameters.
import { invalidRequest } from './errors.js';

export const INPUT_LIMITS = {
  /** The request target (path and query), in bytes. */
  urlLength: 8192,
  /** Any one header value; Node caps the whole header block at 16 KiB (--max-http-header-size). */
  headerLength: 8192,
  headerCount: 100,
  /** Parameters in one query string or form body. */
  parameters: 64,
  parameterNameLength: 64,
  /** Any parameter not listed in PARAMETER_LENGTHS. */
  parameterLength: 2048,
  /** Registration JSON: nesting (a JWK Set with x5c is 4 deep) and total members and elements. */
  jsonDepth: 8,
  jsonMembers: 1000,
  /** Scope tokens in one request (RFC 6749 §3.3). */
  scopeTokens: 50,
  redirectUris: 20,
} as const;

/** Per-parameter maxima where the default does not fit: JWTs are longer, state and nonce shorter. */
export const PARAMETER_LENGTHS: Readonly<Record<string, number>> = {
  state: 1024, // echoed back to the client: bounded so it cannot amplify
  nonce: 512, // copied into the id_token
  request: 16_384, // RFC 9101 request object
  client_assertion: 8192, // RFC 7523 §2.2
  id_token_hint: 8192,
  logout_hint: 1024,
  login_hint: 1024,
  claims: 4096,
  authorization_details: 8192,
  subject_token: 8192,
  actor_token: 8192,
  assertion: 8192,
  token: 4096, // RFC 7009 / RFC 7662: an access token (a JWT) or a refresh token
  refresh_token: 4096,
  code_verifier: 128, // RFC 7636 §4.1
};

/** Request body limits in bytes, by endpoint path (the HTTP layer applies them as each route is registered). */
export const BODY_LIMITS: Readonly<Record<string, number>> = {
  '/token': 32 * 1024,
  '/introspect': 16 * 1024,
  '/revoke': 16 * 1024,
  '/par': 32 * 1024,
  '/authorize': 32 * 1024,
  '/interaction/:id/login': 8 * 1024,
  '/interaction/:id/consent': 8 * 1024,
  '/device': 8 * 1024,
  '/device_authorization': 8 * 1024,
  '/logout': 16 * 1024,
  '/register': 32 * 1024,
};

/** The longest value `name` may hold. */
export function maxParameterLength(name: string): number {
  return PARAMETER_LENGTHS[name] ?? INPUT_LIMITS.parameterLength;
}

/**
 * Refuses a parameter longer than its limit, naming it (names are ASCII-checked by the caller).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function checkParameterLength(name: string, value: string): void {
  if (value.length > maxParameterLength(name)) throw invalidRequest(`parameter ${name} is longer than ${maxParameterLength(name)} characters`);
}

/** RFC 6749 §3.3: a scope of at most INPUT_LIMITS.scopeTokens tokens. */
export function checkScopeTokenCount(scope: string): void {
  if (scope.split(' ').length > INPUT_LIMITS.scopeTokens) throw invalidRequest(`scope has more than ${INPUT_LIMITS.scopeTokens} tokens`);
}
