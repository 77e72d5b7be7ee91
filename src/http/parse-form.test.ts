// The one form parser (input-limits.ts parseForm): WHATWG application/x-www-form-urlencoded parsing, checked as it
// parses. Unit tests of the pure function; input-limits.test.ts proves it over HTTP.
import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../protocol/limits.js';
import { parseForm } from './input-limits.js';

const parsed = (raw: string): Record<string, unknown> => ({ ...parseForm(raw) });

describe('parseForm (URL Standard §5.1, application/x-www-form-urlencoded parsing)', () => {
  it('splits on & and the first =, turns + into a space and percent-decodes UTF-8', () => {
    expect(parsed('grant_type=client_credentials&scope=a+b%20c&x=%E2%82%AC')).toEqual({ grant_type: 'client_credentials', scope: 'a b c', x: '€' });
    expect(parsed('redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fq%3D1&k=v=w')).toEqual({ redirect_uri: 'https://a.example/cb?q=1', k: 'v=w' });
    expect(parsed('a%20b+c=1')).toEqual({ 'a b c': '1' });
  });

  it('a name without = has an empty value; empty pairs are skipped; the empty string is no parameters', () => {
    expect(parsed('a&&b=&=c&')).toEqual({ a: '', b: '', '': 'c' });
    expect(parsed('')).toEqual({});
  });

  it('RFC 6749 §3.1: a repeated name keeps every value, for Params to refuse', () => {
    expect(parsed('scope=a&scope=b&scope=c')).toEqual({ scope: ['a', 'b', 'c'] });
  });

  it('gives an object without a prototype: __proto__ is an ordinary name', () => {
    const fields = parseForm('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(fields.__proto__).toBe('x');
    expect(fields.constructor).toBe('y');
  });

  it('refuses bad percent-encoding, encoded bytes that are not UTF-8, and NUL, with invalid_request', () => {
    for (const raw of ['a=%zz', 'a=%E2%82', 'a%FF=1', 'a=%00', '%00=1', 'a=%']) {
      expect(() => parseForm(raw), raw).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });

  it(`refuses more than ${INPUT_LIMITS.parameters} parameters`, () => {
    expect(() => parseForm(Array.from({ length: INPUT_LIMITS.parameters + 1 }, (_, i) => `p${i}=1`).join('&'))).toThrow(/more than/);
    expect(Object.keys(parseForm(Array.from({ length: INPUT_LIMITS.parameters }, (_, i) => `p${i}=1`).join('&')))).toHaveLength(INPUT_LIMITS.parameters);
  });
});
