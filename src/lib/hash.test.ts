import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hashSecret } from './hash.js';

describe('hashSecret (DESIGN.md "Secrets at rest")', () => {
  it('is SHA-256 (FIPS 180-4 test vector "abc"), base64url without padding', () => {
    expect(hashSecret('abc')).toBe(Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex').toString('base64url'));
  });

  it('hashes the UTF-8 bytes of the secret', () => {
    expect(hashSecret('é')).toBe(Buffer.from('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c', 'hex').toString('base64url'));
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal strings, whatever their lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
