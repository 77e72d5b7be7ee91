// Issue #10 §2: the client assertion signature, checked with node:crypto and keys imported once, keeps every refusal
// jose made (RFC 7515 §5.2, RFC 7518 §3, RFC 7523 §3 item 9, RFC 8725 §3.1).
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../errors.js';
import { NoMatchingKeyError, parseCompactJws, verifyJwsWithJwks, verifyJwsWithSecrets } from './verify-assertion-jws.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const CLAIMS = { iss: 'c1', sub: 'c1', aud: 'https://auth.example', exp: 2_000_000_000, jti: 'j1' };

type Alg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
function keyPair(alg: Alg, bits = 2048): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: bits });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: randomUUID() } };
}

function signed(alg: Alg | 'HS256', key: KeyObject | string, header: Record<string, unknown> = {}, claims: Record<string, unknown> = CLAIMS): string {
  const input = `${b64({ alg, ...header })}.${b64(claims)}`;
  const data = Buffer.from(input);
  const signature =
    typeof key === 'string' ? createHmac('sha256', key).update(data).digest()
    : alg === 'ES256' ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
    : alg === 'PS256' ? sign('sha256', data, { key, padding: 6, saltLength: 32 })
    : alg === 'RS256' ? sign('sha256', data, key)
    : sign(null, data, key);
  return `${input}.${signature.toString('base64url')}`;
}

const ALL = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const description = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_client');
    return (error as OAuthError).description ?? '';
  }
  throw new Error('expected a refusal');
};

describe('client assertion signatures with node:crypto (issue #10 §2)', () => {
  it('RFC 7518 §3: accepts ES256, RS256, PS256 and EdDSA by the registered key, named by kid or alone', () => {
    for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA'] as const) {
      const { privateKey, jwk } = keyPair(alg);
      expect(() => verifyJwsWithJwks(parseCompactJws(signed(alg, privateKey, { kid: jwk.kid })), { keys: [jwk] }, ALL)).not.toThrow();
      expect(() => verifyJwsWithJwks(parseCompactJws(signed(alg, privateKey)), { keys: [jwk] }, ALL)).not.toThrow();
    }
  });

  it('RFC 7515 §5.2: a changed payload or signature fails, with the key cached from an earlier success', () => {
    const { privateKey, jwk } = keyPair('ES256');
    const good = signed('ES256', privateKey, { kid: jwk.kid });
    verifyJwsWithJwks(parseCompactJws(good), { keys: [jwk] }, ALL);
    const [header, , signature] = good.split('.');
    const tampered = `${header}.${b64({ ...CLAIMS, sub: 'c2', iss: 'c2' })}.${signature}`;
    expect(description(() => verifyJwsWithJwks(parseCompactJws(tampered), { keys: [jwk] }, ALL))).toContain('signature');
    const truncated = `${header}.${good.split('.')[1]}.${(signature as string).slice(0, 40)}`;
    expect(description(() => verifyJwsWithJwks(parseCompactJws(truncated), { keys: [jwk] }, ALL))).toContain('signature');
    const stranger = keyPair('ES256');
    expect(description(() => verifyJwsWithJwks(parseCompactJws(signed('ES256', stranger.privateKey, { kid: jwk.kid })), { keys: [jwk] }, ALL))).toContain('signature');
  });

  it('RFC 8725 §3.1: the alg must be on the allow-list and fit the key type; none and HS256 never verify with a JWK', () => {
    const { privateKey, jwk } = keyPair('RS256');
    expect(description(() => verifyJwsWithJwks(parseCompactJws(signed('RS256', privateKey)), { keys: [jwk] }, ['ES256']))).toContain('alg');
    const pem = JSON.stringify(jwk);
    expect(description(() => verifyJwsWithJwks(parseCompactJws(signed('HS256', pem)), { keys: [jwk] }, [...ALL, 'HS256']))).toContain('alg');
    const none = `${b64({ alg: 'none' })}.${b64(CLAIMS)}.`;
    expect(description(() => verifyJwsWithJwks(parseCompactJws(none), { keys: [jwk] }, ALL))).toContain('alg');
    // An ES256 header over an RSA key set: no key of that type, so nothing to verify with.
    expect(() => verifyJwsWithJwks(parseCompactJws(signed('ES256', keyPair('ES256').privateKey)), { keys: [jwk] }, ALL)).toThrow(NoMatchingKeyError);
  });

  it('RFC 7517 §4.2-§4.5: a key for encryption, without the verify operation, of another alg or kid does not match', () => {
    const { privateKey, jwk } = keyPair('ES256');
    const jws = parseCompactJws(signed('ES256', privateKey, { kid: jwk.kid }));
    for (const other of [{ use: 'enc' }, { key_ops: ['encrypt'] }, { alg: 'PS256' }, { kid: 'another' }, { crv: 'P-384' }]) {
      expect(() => verifyJwsWithJwks(jws, { keys: [{ ...jwk, ...other }] }, ALL)).toThrow(NoMatchingKeyError);
    }
    expect(() => verifyJwsWithJwks(jws, { keys: [{ ...jwk, use: 'sig', key_ops: ['verify'], alg: 'ES256' }] }, ALL)).not.toThrow();
  });

  it('a JWK Set member with private parts, an RSA key under 2048 bits, or two fitting keys without a kid are refused', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk = ec.privateKey.export({ format: 'jwk' });
    expect(() => verifyJwsWithJwks(parseCompactJws(signed('ES256', ec.privateKey)), { keys: [privateJwk] }, ALL)).toThrow(OAuthError);
    const small = keyPair('RS256', 1024);
    expect(() => verifyJwsWithJwks(parseCompactJws(signed('RS256', small.privateKey)), { keys: [small.jwk] }, ALL)).toThrow(OAuthError);
    const a = keyPair('ES256');
    const b = keyPair('ES256');
    const { kid: _a, ...aNoKid } = a.jwk;
    const { kid: _b, ...bNoKid } = b.jwk;
    expect(() => verifyJwsWithJwks(parseCompactJws(signed('ES256', a.privateKey)), { keys: [aNoKid, bNoKid] }, ALL)).toThrow(OAuthError);
  });

  it('RFC 7515 §4.1.11: a crit header is refused; so are JWS that are not three base64url parts of JSON objects', () => {
    const { privateKey } = keyPair('ES256');
    expect(description(() => parseCompactJws(signed('ES256', privateKey, { crit: ['b64'], b64: false })))).toContain('critical');
    for (const bad of ['a.b', 'a.b.c.d', `${b64({ alg: 'ES256' })}.${b64([1])}.AA`, `${b64({ alg: 'ES256' })}.${b64(CLAIMS)}.A+A`, `!!.${b64(CLAIMS)}.AA`]) {
      expect(description(() => parseCompactJws(bad))).toContain('not a signed JWT');
    }
  });

  it('RFC 7518 §3.2: HS256 verifies with the current or the previous secret, nothing else', () => {
    const jws = parseCompactJws(signed('HS256', 'previous-secret'));
    expect(() => verifyJwsWithSecrets(jws, ['current-secret', 'previous-secret'], ['HS256'])).not.toThrow();
    expect(description(() => verifyJwsWithSecrets(jws, ['current-secret'], ['HS256']))).toContain('signature');
    expect(description(() => verifyJwsWithSecrets(parseCompactJws(signed('ES256', keyPair('ES256').privateKey)), ['current-secret'], ['HS256']))).toContain('alg');
  });
});
