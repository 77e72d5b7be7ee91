import { describe, expect, it } from 'vitest';
import { formatChallenge, ResourceError } from './resource-error.js';

describe('RFC 6750 §3: the WWW-Authenticate challenge', () => {
  it('carries realm, error, error_description, scope and resource_metadata (RFC 9728 §5.1) as quoted strings', () => {
    expect(
      formatChallenge('Bearer', {
        realm: 'api',
        error: 'insufficient_scope',
        errorDescription: 'needs write',
        scope: ['read', 'write'],
        resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource',
      }),
    ).toBe('Bearer realm="api", error="insufficient_scope", error_description="needs write", scope="read write", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"');
  });

  it('is the bare scheme when there is nothing to say (§3.1: no error code without credentials)', () => {
    expect(formatChallenge('Bearer', {})).toBe('Bearer');
  });

  it('RFC 9449 §7.1: a DPoP challenge lists its algs', () => {
    expect(formatChallenge('DPoP', { algs: ['ES256', 'PS256'] })).toBe('DPoP algs="ES256 PS256"');
  });

  it('§3: drops characters a quoted value may not hold (", \\, control, non-ASCII)', () => {
    expect(formatChallenge('Bearer', { errorDescription: 'a "quoted" \\ bad\n résumé' })).toBe('Bearer error_description="a quoted  bad rsum"');
  });
});

describe('RFC 6750 §3.1: status per error code', () => {
  it.each([
    ['invalid_request', 400],
    ['invalid_token', 401],
    ['insufficient_scope', 403],
    ['invalid_dpop_proof', 401],
    [undefined, 401],
  ] as const)('%s is %d', (code, status) => {
    const error = new ResourceError(code, code && 'why', 'Bearer');
    expect(error.status).toBe(status);
    expect(error.body()).toEqual(code === undefined ? undefined : { error: code, error_description: 'why' });
  });
});
