// RFC 9449 §4.3: each check of a DPoP proof, on the verifier alone (the flows over HTTP are in test/flows/dpop.test.ts).
import { describe, expect, it } from 'vitest';
import { dpopKey, dpopProof, hmacProof, privateJwkProof, unsignedProof } from '../../../test/support/dpop.js';
import { createDpopNonces } from './dpop-nonces.js';
import { accessTokenHash, normalizeHtu, verifyDpopProof, type DpopProofExpectations } from './verify-dpop-proof.js';

const URL_ = 'https://as.example.com/token';
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function expectations(overrides: Partial<DpopProofExpectations> = {}): DpopProofExpectations {
  const used = new Set<string>();
  return {
    method: 'POST',
    url: URL_,
    now: NOW,
    maxAgeSeconds: 60,
    markUsed: async (key) => (used.has(key) ? false : (used.add(key), true)),
    ...overrides,
  };
}

const refused = (code = 'invalid_dpop_proof') => expect.objectContaining({ code });

describe('RFC 9449 §4.3: checking DPoP proofs', () => {
  it('accepts a well-formed proof and returns the RFC 7638 thumbprint of its key', async () => {
    for (const alg of ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const) {
      const key = await dpopKey(alg);
      const verified = await verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW }), expectations());
      expect(verified.jkt).toBe(key.jkt);
    }
  });

  it('check 2: refuses two headers joined by a comma, and anything that is not one compact JWS', async () => {
    const key = await dpopKey();
    const proof = await dpopProof(key, { htu: URL_, now: NOW });
    await expect(verifyDpopProof(`${proof}, ${proof}`, expectations())).rejects.toEqual(refused());
    await expect(verifyDpopProof('not a jwt', expectations())).rejects.toEqual(refused());
    await expect(verifyDpopProof('', expectations())).rejects.toEqual(refused());
  });

  it('check 3: refuses a proof missing jti, htm, htu or iat', async () => {
    const key = await dpopKey();
    for (const claim of ['jti', 'htm', 'htu', 'iat']) {
      await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, omit: [claim] }), expectations())).rejects.toEqual(refused());
    }
  });

  it('check 4: refuses a typ other than dpop+jwt', async () => {
    const key = await dpopKey();
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, typ: 'JWT' }), expectations())).rejects.toEqual(refused());
  });

  it('check 5: refuses alg none and symmetric algs (HS256)', async () => {
    const key = await dpopKey();
    await expect(verifyDpopProof(unsignedProof(key, URL_), expectations({ now: Date.now() }))).rejects.toEqual(refused());
    await expect(verifyDpopProof(await hmacProof(URL_), expectations({ now: Date.now() }))).rejects.toEqual(refused());
  });

  it('check 6: refuses a proof whose signature does not verify with its jwk', async () => {
    const key = await dpopKey();
    const other = await dpopKey();
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, jwk: other.publicJwk }), expectations())).rejects.toEqual(refused());
  });

  it('check 7: refuses a jwk that carries the private key', async () => {
    const key = await dpopKey();
    await expect(verifyDpopProof(await privateJwkProof(key, URL_), expectations({ now: Date.now() }))).rejects.toEqual(refused());
  });

  it('checks 8 and 9: htm must be the method; htu the URL without query and fragment, normalised', async () => {
    const key = await dpopKey();
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, htm: 'GET' }), expectations())).rejects.toEqual(refused());
    await expect(verifyDpopProof(await dpopProof(key, { htu: 'https://as.example.com/other', now: NOW }), expectations())).rejects.toEqual(refused());
    await expect(verifyDpopProof(await dpopProof(key, { htu: 'https://evil.example.com/token', now: NOW }), expectations())).rejects.toEqual(refused());
    const normalised = await dpopProof(key, { htu: 'HTTPS://AS.Example.com:443/token?x=1#frag', now: NOW });
    await expect(verifyDpopProof(normalised, expectations())).resolves.toMatchObject({ jkt: key.jkt });
    expect(normalizeHtu('http://h.example:80/a/../b')).toBe('http://h.example/b');
  });

  it('check 11: refuses an iat outside the window, either way', async () => {
    const key = await dpopKey();
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW - 61_000 }), expectations())).rejects.toEqual(refused());
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW + 61_000 }), expectations())).rejects.toEqual(refused());
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW - 59_000 }), expectations())).resolves.toBeDefined();
  });

  it('check 12: with an access token, ath must be its hash', async () => {
    const key = await dpopKey();
    const expected = expectations({ accessToken: 'the-token' });
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW }), expected)).rejects.toEqual(refused());
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, accessToken: 'other' }), expected)).rejects.toEqual(refused());
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, accessToken: 'the-token' }), expected)).resolves.toBeDefined();
    expect(accessTokenHash('the-token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('§11.1: a proof is accepted once (jti replay)', async () => {
    const key = await dpopKey();
    const proof = await dpopProof(key, { htu: URL_, now: NOW });
    const expected = expectations();
    await verifyDpopProof(proof, expected);
    await expect(verifyDpopProof(proof, expected)).rejects.toEqual(refused());
  });

  it('§8: a required nonce that is missing or unknown is use_dpop_nonce with a fresh nonce; a valid one passes', async () => {
    const nonces = createDpopNonces(new Uint8Array(32).fill(7), 300);
    const nonce = { required: true, valid: (value: string) => nonces.verify(value, NOW), fresh: () => nonces.issue(NOW) };
    const key = await dpopKey();
    const missing = verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW }), expectations({ nonce }));
    await expect(missing).rejects.toEqual(expect.objectContaining({ code: 'use_dpop_nonce', headers: { 'dpop-nonce': nonces.issue(NOW) } }));
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, nonce: 'made.up' }), expectations({ nonce }))).rejects.toEqual(refused('use_dpop_nonce'));
    await expect(verifyDpopProof(await dpopProof(key, { htu: URL_, now: NOW, nonce: nonces.issue(NOW) }), expectations({ nonce }))).resolves.toBeDefined();
  });
});

describe('RFC 9449 §8: stateless nonces', () => {
  it('a nonce stays valid for one to two lifetimes, in every process sharing the secret, and not under another secret', () => {
    const secret = new Uint8Array(32).fill(1);
    const a = createDpopNonces(secret, 300);
    const b = createDpopNonces(secret, 300);
    const nonce = a.issue(NOW);
    expect(nonce).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/); // NQCHAR
    expect(b.verify(nonce, NOW)).toBe(true);
    expect(b.verify(nonce, NOW + 299_000)).toBe(true);
    expect(b.verify(nonce, NOW + 700_000)).toBe(false);
    expect(createDpopNonces(new Uint8Array(32).fill(2), 300).verify(nonce, NOW)).toBe(false);
    expect(a.verify(`${nonce.slice(0, -1)}A`, NOW)).toBe(nonce.endsWith('A'));
  });
});
