// RFC 8628 §6.1: user codes from an unambiguous alphabet, typed back case- and dash-insensitively.
import { describe, expect, it } from 'vitest';
import { systemRandom } from '../../lib/random.js';
import { formatUserCode, generateUserCode, normaliseUserCode, USER_CODE_ALPHABET } from './user-code.js';

describe('RFC 8628 §6.1: user codes', () => {
  it('are eight letters of BCDFGHJKLMNPQRSTVWXZ (20^8 codes), every letter in use', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = generateUserCode(systemRandom);
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      for (const letter of code) seen.add(letter);
    }
    expect(seen.size).toBe(USER_CODE_ALPHABET.length);
    expect(USER_CODE_ALPHABET.length ** 8).toBeGreaterThanOrEqual(20 ** 8);
  });

  it('are shown as XXXX-XXXX and accepted in any case, with or without the dash or spaces', () => {
    expect(formatUserCode('WDJBMJHT')).toBe('WDJB-MJHT');
    for (const typed of ['WDJB-MJHT', 'wdjbmjht', 'wdjb-mjht', ' Wdjb mjht ']) expect(normaliseUserCode(typed)).toBe('WDJBMJHT');
  });

  it('refuse what cannot be a code: vowels, digits, wrong length', () => {
    for (const typed of ['WDJB-MJHA', 'WDJB-MJH1', 'WDJB-MJH', 'WDJB-MJHTT', '']) expect(normaliseUserCode(typed)).toBeUndefined();
  });
});
