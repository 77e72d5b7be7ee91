import { describe, expect, it } from 'vitest';
import { readCredentials } from './request-credentials.js';

const both = ['Bearer', 'DPoP'] as const;

describe('RFC 6750 §2.1 / RFC 9449 §7.1: reading the Authorization header', () => {
  it('reads a Bearer or DPoP token, the scheme case-insensitively', () => {
    expect(readCredentials({ authorization: 'Bearer abc.def-_~+/=' }, both)).toEqual({ kind: 'token', scheme: 'Bearer', token: 'abc.def-_~+/=' });
    expect(readCredentials({ authorization: 'bearer abc' }, both)).toMatchObject({ scheme: 'Bearer' });
    expect(readCredentials(new Headers({ authorization: 'DPoP abc' }), both)).toEqual({ kind: 'token', scheme: 'DPoP', token: 'abc' });
  });

  it('§3.1: no header, or a scheme the resource does not take, is no credentials', () => {
    expect(readCredentials({}, both)).toEqual({ kind: 'none' });
    expect(readCredentials({ authorization: 'Basic dXNlcjpwYXNz' }, both)).toEqual({ kind: 'none' });
    expect(readCredentials({ authorization: 'DPoP abc' }, ['Bearer'])).toEqual({ kind: 'none' });
  });

  it('§3.1 invalid_request: a missing or malformed token, or two headers', () => {
    expect(readCredentials({ authorization: 'Bearer' }, both)).toMatchObject({ kind: 'malformed' });
    expect(readCredentials({ authorization: 'Bearer a b' }, both)).toMatchObject({ kind: 'malformed' });
    expect(readCredentials({ authorization: 'Bearer a"b' }, both)).toMatchObject({ kind: 'malformed' });
    expect(readCredentials({ authorization: ['Bearer a', 'Bearer b'] }, both)).toMatchObject({ kind: 'malformed' });
  });
});
