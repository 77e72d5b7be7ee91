import { describe, expect, it } from 'vitest';
import { accessTokenHash, normalizeHtu } from './verify-dpop-proof.js';

describe('RFC 9449 §4.3 check 9: htu comparison', () => {
  it('ignores query and fragment, and normalises scheme, host case and default port (RFC 3986 §6)', () => {
    expect(normalizeHtu('HTTPS://API.example.com:443/items?x=1#f')).toBe('https://api.example.com/items');
    expect(normalizeHtu('http://127.0.0.1:8080/a')).toBe('http://127.0.0.1:8080/a');
    expect(normalizeHtu('not a url')).toBeUndefined();
  });
});

describe('RFC 9449 §4.2: ath', () => {
  it('is base64url(SHA-256(token)) (the RFC 9449 §7.1 example)', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
  });
});
