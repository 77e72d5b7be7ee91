// The resource-server suite (RFC 6750, RFC 9068 §4, RFC 7662, RFC 9449 §7, RFC 9728), written once and run through
// every adapter against any IssuerUnderTest: a real Latchkey (test/flows) or a local stand-in (unit level).
import { randomUUID } from 'node:crypto';
import { base64url, calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  buildProtectedResourceMetadata,
  createAccessTokenVerifier,
  protectedResourceMetadataUrl,
  type AccessTokenVerifier,
} from '../../src/resource/index.js';
import type { IssuerUnderTest } from '../support/issuer-under-test.js';
import { ADAPTERS, ROUTES, startProtectedApi, type AdapterName, type ProtectedApi } from '../support/protected-api.js';

export interface ContractOptions {
  /** Starts the authorization server; called once per adapter. */
  readonly issuer: () => Promise<IssuerUnderTest>;
  readonly adapters?: readonly AdapterName[];
}

interface Call {
  readonly status: number;
  readonly challenge: string;
  readonly body: Record<string, unknown>;
}

export interface DpopKey {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly jkt: string;
}

export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** An RFC 9449 §4.2 proof; `overrides` replace claims (undefined removes one). */
export async function dpopProof(key: DpopKey, htm: string, htu: string, accessToken: string, overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const claims: Record<string, unknown> = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ath: accessTokenHash(accessToken), ...overrides };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header }).sign(key.privateKey);
}

const payloadOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64url.decode(jwt.split('.')[1] ?? ''))) as Record<string, unknown>;

/** Splits a WWW-Authenticate value into challenges: { scheme, params }. */
export function parseChallenges(value: string): { scheme: string; params: Record<string, string> }[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  const re = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:=("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?\s*/g;
  for (const match of value.matchAll(re)) {
    const [, name = '', raw] = match;
    if (raw === undefined) challenges.push({ scheme: name, params: {} });
    else {
      const current = challenges[challenges.length - 1];
      if (current) current.params[name] = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    }
  }
  return challenges;
}

export function resourceServerContract(name: string, options: ContractOptions): void {
  for (const adapter of options.adapters ?? ADAPTERS) {
    describe(`${name} through the ${adapter} adapter`, () => {
      let issuer: IssuerUnderTest;
      let verifier: AccessTokenVerifier;
      let api: ProtectedApi;
      let clockOffsetMs = 0;
      let metadataUrl: string;

      beforeAll(async () => {
        issuer = await options.issuer();
        metadataUrl = protectedResourceMetadataUrl(issuer.audience);
        verifier = createAccessTokenVerifier({
          issuer: issuer.issuer,
          audience: issuer.audience,
          introspection: issuer.introspection,
          realm: 'api',
          resourceMetadataUrl: metadataUrl,
          jwksRefreshCooldownSeconds: 0, // so the key-rotation case does not wait out the default 30 s
          clock: () => Date.now() + clockOffsetMs,
        });
        const metadata = buildProtectedResourceMetadata({
          resource: issuer.audience,
          authorizationServers: [issuer.issuer],
          scopesSupported: ['read', 'write'],
          dpopSigningAlgValuesSupported: verifier.dpopAlgorithms,
          resourceDocumentation: 'https://api.example.com/docs',
        });
        api = await startProtectedApi(adapter, verifier, metadata);
      });
      afterAll(async () => {
        await api?.close();
        await issuer?.close();
      });
      afterEach(() => {
        clockOffsetMs = 0;
      });

      const call = async (route: keyof typeof ROUTES, authorization?: string, headers: Record<string, string> = {}): Promise<Call> => {
        const { method, path } = ROUTES[route];
        const response = await fetch(`${api.url}${path}`, { method, headers: { ...(authorization !== undefined && { authorization }), ...headers } });
        const text = await response.text();
        return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '', body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
      };
      const bearer = (route: keyof typeof ROUTES, token: string) => call(route, `Bearer ${token}`);
      const withProof = async (route: keyof typeof ROUTES, token: string, key: DpopKey, overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => {
        const { method, path } = ROUTES[route];
        return call(route, `DPoP ${token}`, { dpop: await dpopProof(key, method, `${api.url}${path}`, token, overrides, header) });
      };
      /** The Bearer challenge carries the error; the DPoP one is offered alongside with its algs (RFC 9449 §7.1). */
      const expectRefused = (call: Call, status: number, error: string, scheme = 'Bearer') => {
        expect(call.status).toBe(status);
        const challenges = parseChallenges(call.challenge);
        const failing = challenges.find((challenge) => challenge.scheme === scheme);
        expect(failing?.params).toMatchObject({ realm: 'api', error, resource_metadata: metadataUrl });
        expect(failing?.params.error_description).toMatch(/\S/);
        expect(call.body).toMatchObject({ error });
        expect(challenges.find((challenge) => challenge.scheme === 'DPoP')?.params.algs).toContain('ES256');
        return failing?.params ?? {};
      };

      describe('RFC 6750 §3.1: a request without credentials', () => {
        it('is answered 401 with a challenge per scheme and no error code', async () => {
          const answer = await call('me');
          expect(answer.status).toBe(401);
          expect(parseChallenges(answer.challenge)).toEqual([
            { scheme: 'Bearer', params: { realm: 'api', resource_metadata: metadataUrl } },
            { scheme: 'DPoP', params: { realm: 'api', resource_metadata: metadataUrl, algs: verifier.dpopAlgorithms.join(' ') } },
          ]);
          expect(answer.body).toEqual({});
        });

        it('counts an unsupported scheme (Basic) as no credentials', async () => {
          const answer = await call('me', 'Basic dXNlcjpwYXNz');
          expect(answer.status).toBe(401);
          expect(answer.challenge).not.toContain('error=');
        });

        it('answers a malformed Authorization header 400 invalid_request', async () => {
          expectRefused(await call('me', 'Bearer two tokens'), 400, 'invalid_request');
          expectRefused(await call('me', 'Bearer'), 400, 'invalid_request');
        });
      });

      describe('RFC 9068 §4 and RFC 7662 §2.2: valid access tokens are accepted', () => {
        it('a JWT access token, verified against the issuer JWKS', async () => {
          const token = await issuer.jwt({ scope: ['read'] });
          expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', kid: expect.any(String) });
          const answer = await bearer('me', token);
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ scope: ['read'], audience: [issuer.audience], tokenType: 'Bearer', subject: expect.any(String), clientId: expect.any(String) });
        });

        it('an opaque access token, by introspection', async () => {
          const token = await issuer.opaque({ scope: ['read', 'write'] });
          expect(token.split('.')).toHaveLength(1);
          const answer = await bearer('me', token);
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ scope: ['read', 'write'], audience: [issuer.audience], tokenType: 'Bearer' });
        });

        it('a token with the scope a route requires', async () => {
          expect((await bearer('write', await issuer.jwt({ scope: ['read', 'write'] }))).status).toBe(200);
          expect((await bearer('write', await issuer.opaque({ scope: ['write'] }))).status).toBe(200);
        });
      });

      describe('RFC 6750 §3.1 invalid_token: tokens the resource must refuse', () => {
        it('an expired JWT (the verifier clock past exp + skew)', async () => {
          const token = await issuer.jwt();
          clockOffsetMs = 3600_000;
          expect(expectRefused(await bearer('me', token), 401, 'invalid_token').error_description).toMatch(/expired/);
        });

        it('an expired opaque token', async () => {
          const token = await issuer.opaque();
          clockOffsetMs = 3600_000;
          expectRefused(await bearer('me', token), 401, 'invalid_token');
        });

        it('a token for another audience (RFC 8707 resource)', async () => {
          expect(expectRefused(await bearer('me', await issuer.jwt({ audience: 'https://elsewhere.example.com' })), 401, 'invalid_token').error_description).toMatch(/aud/);
          expectRefused(await bearer('me', await issuer.opaque({ audience: 'https://elsewhere.example.com' })), 401, 'invalid_token');
        });

        it('a token for this API on a route that requires another audience', async () => {
          expectRefused(await bearer('elsewhere', await issuer.jwt()), 401, 'invalid_token');
        });

        it('a token naming another issuer, even signed with the right key', async () => {
          expect(expectRefused(await bearer('me', await issuer.foreignIssuerJwt()), 401, 'invalid_token').error_description).toMatch(/issuer/);
        });

        it('a revoked opaque token (RFC 7009), once the introspection cache bound has passed', async () => {
          const token = await issuer.opaque();
          expect((await bearer('me', token)).status).toBe(200);
          await issuer.revoke(token);
          clockOffsetMs = 31_000; // the default 30 s revocation lag
          expectRefused(await bearer('me', token), 401, 'invalid_token');
        });

        it('alg none (RFC 8725 §3.1)', async () => {
          const payload = payloadOf(await issuer.jwt());
          const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
          const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(payload)}.`;
          expect(expectRefused(await bearer('me', unsigned), 401, 'invalid_token').error_description).toMatch(/alg/);
        });

        it('HS256 signed with the issuer public key as the secret (key confusion, RFC 8725 §2.1)', async () => {
          const jwk = await issuer.signingJwk();
          const payload = payloadOf(await issuer.jwt());
          const secret = new TextEncoder().encode(JSON.stringify(jwk));
          const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...(jwk.kid !== undefined && { kid: jwk.kid }) }).sign(secret);
          expectRefused(await bearer('me', forged), 401, 'invalid_token');
        });

        it('a JWT signed by a key the issuer does not publish (unknown kid)', async () => {
          const { privateKey } = await generateKeyPair('ES256');
          const payload = payloadOf(await issuer.jwt());
          const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-a-published-kid' }).sign(privateKey);
          expect(expectRefused(await bearer('me', forged), 401, 'invalid_token').error_description).toMatch(/key/);
        });

        it('a JWT that is not an access token (typ JWT, as an id_token is)', async () => {
          const jwt = await issuer.jwt();
          const [, payload, signature] = jwt.split('.');
          const retyped = `${base64url.encode(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${payload}.${signature}`;
          expectRefused(await bearer('me', retyped), 401, 'invalid_token');
        });

        it('garbage that is neither a JWT nor a live opaque token', async () => {
          expectRefused(await bearer('me', 'bm90LWEtdG9rZW4'), 401, 'invalid_token');
        });
      });

      describe('RFC 6750 §3.1 insufficient_scope', () => {
        it('is 403 with the scope the route needs', async () => {
          expect(expectRefused(await bearer('write', await issuer.jwt({ scope: ['read'] })), 403, 'insufficient_scope').scope).toBe('write');
          expect(expectRefused(await bearer('write', await issuer.opaque({ scope: ['read'] })), 403, 'insufficient_scope').scope).toBe('write');
        });
      });

      describe('RFC 7517 key rotation: a new signing key is picked up without a restart', () => {
        it('fetches the JWKS again when a token names a kid it has not seen', async () => {
          const before = await issuer.jwt();
          expect((await bearer('me', before)).status).toBe(200);
          await issuer.rotateKeys();
          const afterRotation = await issuer.jwt();
          expect(decodeProtectedHeader(afterRotation).kid).not.toBe(decodeProtectedHeader(before).kid);
          expect((await bearer('me', afterRotation)).status).toBe(200);
        });
      });

      describe('RFC 9449 §7: DPoP-bound access tokens', () => {
        it('are accepted with a valid proof (JWT and opaque)', async () => {
          const key = await dpopKey();
          for (const token of [await issuer.jwt({ jkt: key.jkt }), await issuer.opaque({ jkt: key.jkt })]) {
            const answer = await withProof('write', token, key);
            expect(answer.status).toBe(200);
            expect(answer.body).toMatchObject({ tokenType: 'DPoP', jkt: key.jkt });
          }
        });

        it('§7.2: are refused when presented as Bearer', async () => {
          const key = await dpopKey();
          expect(expectRefused(await bearer('me', await issuer.jwt({ jkt: key.jkt })), 401, 'invalid_token').error_description).toMatch(/DPoP/);
        });

        it('§7.1: are refused without a proof, with invalid_dpop_proof on the DPoP challenge', async () => {
          const key = await dpopKey();
          const params = expectRefused(await call('me', `DPoP ${await issuer.jwt({ jkt: key.jkt })}`), 401, 'invalid_dpop_proof', 'DPoP');
          expect(params.algs).toContain('ES256');
        });

        it('§4.3: a proof is refused when htm, htu, ath, iat or typ is wrong, or the key is not the bound one', async () => {
          const key = await dpopKey();
          const token = await issuer.jwt({ jkt: key.jkt });
          const cases: [Record<string, unknown>, Record<string, unknown>?][] = [
            [{ htm: 'DELETE' }],
            [{ htu: 'https://elsewhere.example.com/api/items' }],
            [{ ath: accessTokenHash('another token') }],
            [{ ath: undefined }],
            [{ iat: Math.floor(Date.now() / 1000) - 600 }],
            [{ iat: Math.floor(Date.now() / 1000) + 600 }],
            [{ jti: undefined }],
            [{}, { typ: 'JWT' }],
          ];
          for (const [overrides, header] of cases) expectRefused(await withProof('write', token, key, overrides, header), 401, 'invalid_dpop_proof', 'DPoP');
          expectRefused(await withProof('write', token, await dpopKey()), 401, 'invalid_dpop_proof', 'DPoP');
        });

        it('§4.3: htu is compared without query and fragment', async () => {
          const key = await dpopKey();
          const token = await issuer.jwt({ jkt: key.jkt });
          expect((await withProof('write', token, key, { htu: `${api.url}${ROUTES.write.path}?page=2#top` })).status).toBe(200);
        });

        it('§11.1: a proof is accepted once (jti replay cache)', async () => {
          const key = await dpopKey();
          const token = await issuer.jwt({ jkt: key.jkt });
          const proof = await dpopProof(key, 'GET', `${api.url}${ROUTES.me.path}`, token);
          expect((await call('me', `DPoP ${token}`, { dpop: proof })).status).toBe(200);
          expectRefused(await call('me', `DPoP ${token}`, { dpop: proof }), 401, 'invalid_dpop_proof', 'DPoP');
        });

        it('an unbound token sent with the DPoP scheme is refused', async () => {
          const key = await dpopKey();
          expectRefused(await withProof('me', await issuer.jwt(), key), 401, 'invalid_token', 'DPoP');
        });
      });

      describe('RFC 9728 §3: protected resource metadata', () => {
        it('is served at /.well-known/oauth-protected-resource', async () => {
          const response = await fetch(`${api.url}/.well-known/oauth-protected-resource`);
          expect(response.status).toBe(200);
          expect(await response.json()).toEqual({
            resource: issuer.audience,
            authorization_servers: [issuer.issuer],
            scopes_supported: ['read', 'write'],
            bearer_methods_supported: ['header'],
            dpop_signing_alg_values_supported: [...verifier.dpopAlgorithms],
            resource_documentation: 'https://api.example.com/docs',
          });
        });
      });
    });
  }
}
