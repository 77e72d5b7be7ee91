// PKCE at the token endpoint: RFC 7636 §4.6. S256 is the only method we accept (RFC 9700 §2.1.1), so there is no method switch.
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../lib/hash.js';
import { invalidGrant } from '../errors.js';

const VERIFIER_SYNTAX = /^[A-Za-z0-9._~-]{43,128}$/; // RFC 7636 §4.1

/** @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 */
export function verifyCodeVerifier(verifier: string | undefined, challenge: string | undefined): void {
  if (challenge === undefined) {
    // A verifier without a stored challenge signals a downgrade attempt (RFC 9700 §4.8.2).
    if (verifier !== undefined) throw invalidGrant('code_verifier sent but no code_challenge was');
    return;
  }
  if (verifier === undefined || !VERIFIER_SYNTAX.test(verifier)) throw invalidGrant('code_verifier is missing or malformed');
  // Constant time: the challenge is derived from a secret.
  if (!constantTimeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge)) {
    throw invalidGrant('code_verifier does not match code_challenge');
  }
}
