// RFC 7636 §4.6 and RFC 9700 §2.1.1: PKCE with S256 only.
import { describe, expect, it } from 'vitest';
import { verifyCodeVerifier } from './verify-code-verifier.js';

// RFC 7636 Appendix B
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('RFC 7636 §4.6: verifying the code_verifier', () => {
  it('accepts the verifier of Appendix B for its S256 challenge', () => {
    expect(() => verifyCodeVerifier(VERIFIER, CHALLENGE)).not.toThrow();
  });
  it('rejects a wrong, missing or malformed verifier with invalid_grant', () => {
    expect(() => verifyCodeVerifier(`${VERIFIER.slice(0, -1)}A`, CHALLENGE)).toThrow(expect.objectContaining({ code: 'invalid_grant' }));
    expect(() => verifyCodeVerifier(undefined, CHALLENGE)).toThrow(expect.objectContaining({ code: 'invalid_grant' }));
    expect(() => verifyCodeVerifier('too-short', CHALLENGE)).toThrow(expect.objectContaining({ code: 'invalid_grant' }));
  });
  it('RFC 9700 §4.8.2: rejects a verifier when the authorization request had no challenge (downgrade)', () => {
    expect(() => verifyCodeVerifier(VERIFIER, undefined)).toThrow(expect.objectContaining({ code: 'invalid_grant' }));
    expect(() => verifyCodeVerifier(undefined, undefined)).not.toThrow();
  });
});
