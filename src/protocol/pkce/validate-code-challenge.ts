// PKCE at the authorization endpoint: RFC 7636 §4.3, with RFC 9700 §2.1.1: S256 only, required for every client by default.
import type { PkceRequirement } from '../../config/config.js';
import { invalidRequest } from '../errors.js';

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The S256 challenge to bind to the code, or undefined when none is sent and none is required.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export function validateCodeChallenge(
  challenge: string | undefined,
  method: string | undefined,
  client: { readonly isPublic: boolean },
  required: PkceRequirement,
): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw invalidRequest('code_challenge_method was sent without code_challenge');
    // RFC 7636 §4.4.1 for public clients; RFC 9700 §2.1.1 for all of them unless the operator chose otherwise.
    if (required === 'all' || client.isPublic) throw invalidRequest('code_challenge is required (PKCE with S256)');
    return undefined;
  }
  // §4.3: an absent method means "plain", which a server that supports S256 must not fall back to (RFC 9700 §2.1.1).
  if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(challenge)) throw invalidRequest('code_challenge must be 43 base64url characters');
  return challenge;
}
