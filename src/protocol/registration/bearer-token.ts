// The Authorization: Bearer credential (RFC 6750 §2.1) that guards registration (RFC 7591 §3, RFC 7592 §3),
// and the 401 it earns when missing or wrong (RFC 6750 §3, §3.1).
import { OAuthError } from '../errors.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i; // RFC 6750 §2.1 b64token

/** The bearer token of an Authorization header, or undefined when there is none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = BEARER.exec(authorization);
  if (match === null) throw invalidToken('the Authorization header is not a Bearer token');
  return match[1];
}

/** 401 invalid_token with its WWW-Authenticate challenge (RFC 6750 §3). */
export function invalidToken(why: string): OAuthError {
  return new OAuthError('invalid_token', why, { headers: { 'www-authenticate': 'Bearer realm="latchkey", error="invalid_token"' } });
}
