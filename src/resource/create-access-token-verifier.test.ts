// Verifier options and caches, against a local issuer over loopback HTTP (test/support/local-issuer.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopKey, dpopProof } from '../../test/resource/resource-server-contract.js';
import { startLocalIssuer, type LocalIssuer } from '../../test/support/local-issuer.js';
import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from './create-access-token-verifier.js';
import { ResourceError } from './resource-error.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer.close());

const URL_ = 'https://api.example.com/items';
const request = (authorization?: string, extra: Record<string, string> = {}) => ({
  method: 'GET',
  url: URL_,
  headers: { ...(authorization !== undefined && { authorization }), ...extra },
});
const verifierWith = (options: Partial<AccessTokenVerifierOptions> = {}) =>
  createAccessTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, introspection: issuer.introspection, ...options });
const refusal = async (promise: Promise<unknown>): Promise<ResourceError> => {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ResourceError);
  return error as ResourceError;
};
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: issuer.issuer, sub: 'user-alice', aud: issuer.audience, client_id: 'app', iat: now(), exp: now() + 600, jti: 'j', ...extra,
});

describe('RFC 8725 §3.1: the alg allow-list', () => {
  it('refuses to be configured with none or an HMAC alg', () => {
    expect(() => verifierWith({ algorithms: ['ES256', 'none'] })).toThrow(TypeError);
    expect(() => verifierWith({ algorithms: ['HS256'] })).toThrow(TypeError);
    expect(() => verifierWith({ dpop: { algorithms: ['HS512'] } })).toThrow(TypeError);
  });

  it('refuses a token whose alg is not on the configured list, before fetching any key', async () => {
    const verifier = verifierWith({ algorithms: ['RS256'] });
    const before = issuer.jwksRequests;
    const error = await refusal(verifier.verify(request(`Bearer ${await issuer.jwt()}`)));
    expect(error.code).toBe('invalid_token');
    expect(error.description).toMatch(/alg/);
    expect(issuer.jwksRequests).toBe(before);
  });
});

describe('RFC 9068 §4: JWT checks', () => {
  it('accepts typ application/at+jwt as well as at+jwt (RFC 9068 §2.1)', async () => {
    const principal = await verifierWith().verify(request(`Bearer ${await issuer.sign(claims(), { typ: 'application/at+jwt' })}`));
    expect(principal).toMatchObject({ subject: 'user-alice', clientId: 'app', tokenType: 'Bearer', audience: [issuer.audience] });
    expect(principal.expiresAt).toBeInstanceOf(Date);
  });

  it('allows a clock skew of 30 s by default, configurable', async () => {
    const token = await issuer.sign(claims({ exp: now() - 10 }));
    await expect(verifierWith().verify(request(`Bearer ${token}`))).resolves.toMatchObject({ subject: 'user-alice' });
    expect((await refusal(verifierWith({ clockSkewSeconds: 0 }).verify(request(`Bearer ${token}`)))).description).toMatch(/expired/);
    expect((await refusal(verifierWith().verify(request(`Bearer ${await issuer.sign(claims({ nbf: now() + 120 }))}`)))).description).toMatch(/not valid yet/);
  });

  it('requires the RFC 9068 §2.2 claims (client_id here)', async () => {
    const { client_id: _omitted, ...rest } = claims();
    expect((await refusal(verifierWith().verify(request(`Bearer ${await issuer.sign(rest)}`)))).code).toBe('invalid_token');
  });
});

describe('RFC 8414 §3: keys come from the issuer metadata, cached; an unknown kid refetches, rate-limited', () => {
  it('fetches the JWKS once for many tokens', async () => {
    const verifier = verifierWith();
    const before = issuer.jwksRequests;
    for (let i = 0; i < 5; i++) await verifier.verify(request(`Bearer ${await issuer.jwt()}`));
    expect(issuer.jwksRequests - before).toBe(1);
  });

  it('within the cooldown an unknown kid does not refetch; after it, it does', async () => {
    const verifier = verifierWith({ jwksRefreshCooldownSeconds: 1 });
    await verifier.verify(request(`Bearer ${await issuer.jwt()}`));
    const before = issuer.jwksRequests;
    const stranger = await issuer.unpublishedKey();
    for (let i = 0; i < 3; i++) {
      expect((await refusal(verifier.verify(request(`Bearer ${await issuer.sign(claims(), {}, stranger)}`)))).description).toMatch(/key/);
    }
    expect(issuer.jwksRequests).toBe(before); // a flood of unknown kids costs the issuer nothing
    await issuer.rotateKeys();
    const rotated = await issuer.jwt();
    await refusal(verifier.verify(request(`Bearer ${rotated}`))); // still cooling down
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(verifier.verify(request(`Bearer ${rotated}`))).resolves.toMatchObject({ subject: 'user-alice' });
    expect(issuer.jwksRequests).toBe(before + 1);
  });

  it('RFC 8414 §3.3: metadata naming another issuer is the issuer\'s failure (503 temporarily_unavailable), not a verdict on the token', async () => {
    const liar = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: 'https://evil.example.com', jwks_uri: `${issuer.issuer}/jwks` })));
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const verifier = createAccessTokenVerifier({ issuer: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`, audience: issuer.audience });
    const error = await verifier.verify(request(`Bearer ${await issuer.jwt()}`)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ code: 'temporarily_unavailable', status: 503 });
    expect(String((error as ResourceError).cause)).toMatch(/issuer does not match/);
    liar.close();
  });
});

describe('RFC 7662 §4: the introspection cache', () => {
  it('reuses an active answer up to introspectionCacheSeconds: that is the revocation lag', async () => {
    let offset = 0;
    const verifier = verifierWith({ clock: () => Date.now() + offset });
    const token = await issuer.opaque();
    await verifier.verify(request(`Bearer ${token}`));
    await issuer.revoke(token);
    const before = issuer.introspectionRequests;
    await expect(verifier.verify(request(`Bearer ${token}`))).resolves.toMatchObject({ subject: 'user-alice' });
    expect(issuer.introspectionRequests).toBe(before);
    offset = 30_000;
    expect((await refusal(verifier.verify(request(`Bearer ${token}`)))).description).toMatch(/not active/);
  });

  it('0 disables it: a revoked token is refused at once', async () => {
    const verifier = verifierWith({ introspectionCacheSeconds: 0 });
    const token = await issuer.opaque();
    await verifier.verify(request(`Bearer ${token}`));
    await issuer.revoke(token);
    expect((await refusal(verifier.verify(request(`Bearer ${token}`)))).code).toBe('invalid_token');
  });

  it('never outlives the token exp', async () => {
    let offset = 0;
    const verifier = verifierWith({ introspectionCacheSeconds: 3600, clockSkewSeconds: 0, clock: () => Date.now() + offset });
    const token = await issuer.opaque();
    await verifier.verify(request(`Bearer ${token}`));
    offset = 601_000;
    const before = issuer.introspectionRequests;
    expect((await refusal(verifier.verify(request(`Bearer ${token}`)))).description).toMatch(/expired/);
    expect(issuer.introspectionRequests).toBe(before + 1);
  });

  it('without introspection credentials, an opaque token is refused', async () => {
    const verifier = createAccessTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience });
    expect((await refusal(verifier.verify(request(`Bearer ${await issuer.opaque()}`)))).description).toMatch(/introspect/);
  });
});

describe('RFC 9449 §7: DPoP modes and the replay cache', () => {
  it('mode required: a Bearer token gets only the DPoP challenge', async () => {
    const error = await refusal(verifierWith({ dpop: { mode: 'required' } }).verify(request(`Bearer ${await issuer.jwt()}`)));
    expect(error.code).toBeUndefined();
    expect(error.wwwAuthenticate).toMatch(/^DPoP algs="/);
  });

  it('mode disabled: the DPoP scheme is not offered, and a bound token is still refused as Bearer', async () => {
    const verifier = verifierWith({ dpop: { mode: 'disabled' } });
    expect(verifier.challenge).toBe('Bearer');
    const key = await dpopKey();
    expect((await refusal(verifier.verify(request(`Bearer ${await issuer.jwt({ jkt: key.jkt })}`)))).code).toBe('invalid_token');
  });

  it('the replay cache is bounded: when full of live jtis it refuses new proofs rather than forget one', async () => {
    const verifier = verifierWith({ dpop: { replayCacheMaxEntries: 1 } });
    const key = await dpopKey();
    const token = await issuer.jwt({ jkt: key.jkt });
    const send = async () => verifier.verify(request(`DPoP ${token}`, { dpop: await dpopProof(key, 'GET', URL_, token) }));
    await expect(send()).resolves.toMatchObject({ tokenType: 'DPoP' });
    expect((await refusal(send())).description).toMatch(/too many/);
  });

  it('a proof whose jwk holds a private key is refused', async () => {
    const key = await dpopKey();
    const token = await issuer.jwt({ jkt: key.jkt });
    const proof = await new SignJWT({ jti: 'x', htm: 'GET', htu: URL_, iat: now() }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...key.jwk, d: 'AAAA' } as JWK }).sign(key.privateKey);
    expect((await refusal(verifierWith().verify(request(`DPoP ${token}`, { dpop: proof })))).code).toBe('invalid_dpop_proof');
  });
});
