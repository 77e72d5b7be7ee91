// RFC 8693 per-client policy: what the admin API and CLI accept for token_exchange, and its round trip to the wire.
import { describe, expect, it } from 'vitest';
import { policyToWire, validateClientPolicy } from './client-policy.js';

describe('client policy: token_exchange (RFC 8693)', () => {
  it('is absent by default: no client may exchange tokens unless an administrator says so', () => {
    expect(validateClientPolicy({}).tokenExchange).toBeUndefined();
  });

  it('accepts audiences, scopes and allow_impersonation, and round-trips to the wire form', () => {
    const wire = { access_token_format: 'jwt', allowed_legacy_grants: [], token_exchange: { audiences: ['https://api.example.com'], scopes: ['read'], allow_impersonation: true } };
    const policy = validateClientPolicy(wire);
    expect(policy.tokenExchange).toEqual({ audiences: ['https://api.example.com'], scopes: ['read'], allowImpersonation: true });
    expect(policyToWire(policy)).toEqual(wire);
  });

  it('refuses a malformed policy with invalid_client_metadata', () => {
    for (const tokenExchange of [[], { scopes: ['read'] }, { audiences: ['not a uri'] }, { audiences: ['https://a.example#f'] }, { audiences: [], scopes: ['bad"scope'] }, { audiences: [], allow_impersonation: 'yes' }, { audiences: [], extra: 1 }]) {
      expect(() => validateClientPolicy({ token_exchange: tokenExchange })).toThrow(expect.objectContaining({ code: 'invalid_client_metadata' }));
    }
  });
});
