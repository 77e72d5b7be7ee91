// DPoP end to end over real HTTP: RFC 9449 §5 (token requests, bound refresh tokens, dpop_bound_access_tokens),
// §6 (cnf.jkt in JWTs and introspection), §7 (a protected resource), §8 (nonces), §5.1 (discovery).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../src/http/error-handler.js';
import { OAuthError } from '../../src/protocol/errors.js';
import { verifyDpopPresentation } from '../../src/protocol/dpop/verify-dpop-presentation.js';
import { findToken } from '../../src/protocol/tokens/find-token.js';
import { createTokenIssuer } from '../../src/protocol/tokens/create-token-issuer.js';
import { createAccessTokenVerifier } from '../../src/resource/index.js';
import { dpopKey, dpopProof, hmacProof, privateJwkProof, unsignedProof, type DpopKey } from '../support/dpop.js';
import { createTestClient, endpoints, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A user grant with tokens issued as the authorization code exchange will issue them, bound to `key` when given. */
async function issueBound(server: TestServer, client: TestClient, key?: DpopKey): Promise<{ accessToken: string; refreshToken: string; grantId: string }> {
  const { deps } = server.server;
  const now = deps.clock.now();
  const grantId = randomUUID();
  const scope = ['openid', 'offline_access', 'read'];
  await deps.storage.grants.create({ id: grantId, clientId: client.clientId, subject: 'user-alice', scope, resources: [], createdAt: now, expiresAt: now + 60_000 });
  const issued = await createTokenIssuer(deps).issue({ client: client.client, audit: { grantType: 'authorization_code' }, grantId, subject: 'user-alice', scope, resources: [], refreshToken: true, ...(key && { dpopJkt: key.jkt }) });
  return { accessToken: issued.accessToken, refreshToken: issued.refreshToken as string, grantId };
}

describe('RFC 9449: DPoP at the token endpoint', () => {
  let server: TestServer;
  let confidential: TestClient;
  let jwtClient: TestClient;
  let publicClient: TestClient;
  let tokenUrl: string;
  let api: ReturnType<typeof endpoints>;
  beforeAll(async () => {
    server = await startTestServer();
    confidential = await createTestClient(server);
    jwtClient = await createTestClient(server, { accessTokenFormat: 'jwt' });
    publicClient = await createTestClient(server, { authMethod: 'none', grantTypes: ['refresh_token', 'authorization_code'] });
    tokenUrl = `${server.issuer}/token`;
    api = endpoints(server);
  });
  afterAll(() => server.close());

  const clientCredentials = (client: TestClient, proof?: string) =>
    postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: client.basic, ...(proof !== undefined && { dpop: proof }) });
  const publicRefresh = (refreshToken: string, proof?: string) =>
    postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: publicClient.clientId }, proof === undefined ? {} : { dpop: proof });

  it('§5.1: discovery lists dpop_signing_alg_values_supported, asymmetric algs only', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.dpop_signing_alg_values_supported).toEqual(['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA']);
  });

  it('§5, §6.1: a valid proof gets token_type DPoP and a JWT access token with cnf.jkt; introspection shows cnf.jkt (§6.2)', async () => {
    const key = await dpopKey();
    const response = await clientCredentials(jwtClient, await dpopProof(key, { htu: tokenUrl }));
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('DPoP');
    expect(response.headers.get('dpop-nonce'), 'no nonce when nonces are off (§8)').toBeNull();
    const token = String(response.body.access_token);
    expect(decodeJwt(token).cnf).toEqual({ jkt: key.jkt });
    const introspected = await api.introspect(jwtClient, token);
    expect(introspected.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('§6.2: an opaque DPoP-bound token has its jkt recorded, and introspection returns it', async () => {
    const key = await dpopKey('EdDSA');
    const response = await clientCredentials(confidential, await dpopProof(key, { htu: tokenUrl }));
    expect(response.body.token_type).toBe('DPoP');
    const introspected = await api.introspect(confidential, String(response.body.access_token));
    expect(introspected.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('without a proof the token is a Bearer token, as before', async () => {
    const response = await clientCredentials(confidential);
    expect(response.body.token_type).toBe('Bearer');
    expect((await api.introspect(confidential, String(response.body.access_token))).body.cnf).toBeUndefined();
  });

  it('§4.3: a replayed proof, a proof for another URL or another method is invalid_dpop_proof', async () => {
    const key = await dpopKey();
    const proof = await dpopProof(key, { htu: tokenUrl });
    expect((await clientCredentials(confidential, proof)).status).toBe(200);
    const replayed = await clientCredentials(confidential, proof);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error).toBe('invalid_dpop_proof');
    expect((await clientCredentials(confidential, await dpopProof(key, { htu: `${server.issuer}/introspect` }))).body.error).toBe('invalid_dpop_proof');
    expect((await clientCredentials(confidential, await dpopProof(key, { htu: tokenUrl, htm: 'GET' }))).body.error).toBe('invalid_dpop_proof');
  });

  it('§4.3: htu is compared without query and fragment, scheme and host case-insensitively', async () => {
    const key = await dpopKey();
    const htu = `${server.issuer.replace('http://', 'HTTP://')}/token?foo=bar#frag`;
    expect((await clientCredentials(confidential, await dpopProof(key, { htu }))).status).toBe(200);
  });

  it('§4.3: alg none, HS256, a private jwk, a wrong typ and a stale iat are refused', async () => {
    const key = await dpopKey();
    const proofs = [
      unsignedProof(key, tokenUrl),
      await hmacProof(tokenUrl),
      await privateJwkProof(key, tokenUrl),
      await dpopProof(key, { htu: tokenUrl, typ: 'JWT' }),
      await dpopProof(key, { htu: tokenUrl, now: Date.now() - 5 * 60_000 }),
    ];
    for (const proof of proofs) {
      const response = await clientCredentials(confidential, proof);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_dpop_proof');
    }
  });

  it('§4.3 check 1: two DPoP headers are invalid_dpop_proof', async () => {
    const key = await dpopKey();
    const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', authorization: confidential.basic });
    headers.append('dpop', await dpopProof(key, { htu: tokenUrl }));
    headers.append('dpop', await dpopProof(key, { htu: tokenUrl }));
    const response = await fetch(`${server.url}/token`, { method: 'POST', headers, body: 'grant_type=client_credentials' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Record<string, unknown>).error).toBe('invalid_dpop_proof');
  });

  it('§5.2: a client registered with dpop_bound_access_tokens is refused without a proof, served with one', async () => {
    const strict = await createTestClient(server);
    await server.server.deps.storage.clients.update({ ...strict.client, metadata: { ...strict.client.metadata, dpop_bound_access_tokens: true } });
    const without = await clientCredentials(strict);
    expect(without.status).toBe(400);
    expect(without.body.error).toBe('invalid_request');
    const key = await dpopKey();
    const withProof = await clientCredentials(strict, await dpopProof(key, { htu: tokenUrl }));
    expect(withProof.status).toBe(200);
    expect(withProof.body.token_type).toBe('DPoP');
  });

  it('§5: a public client\'s bound refresh token is refused without a proof and with another key, accepted with its key', async () => {
    const key = await dpopKey();
    const { refreshToken } = await issueBound(server, publicClient, key);
    expect((await publicRefresh(refreshToken)).body.error).toBe('invalid_grant');
    const other = await dpopKey();
    expect((await publicRefresh(refreshToken, await dpopProof(other, { htu: tokenUrl }))).body.error).toBe('invalid_grant');
    const proof = await dpopProof(key, { htu: tokenUrl });
    const ok = await publicRefresh(refreshToken, proof);
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('DPoP');
    // The new refresh token is bound to the same key: no proof, no refresh; a replayed proof neither.
    const next = String(ok.body.refresh_token);
    expect((await publicRefresh(next)).body.error).toBe('invalid_grant');
    expect((await publicRefresh(next, proof)).body.error).toBe('invalid_dpop_proof');
    expect((await publicRefresh(next, await dpopProof(key, { htu: tokenUrl }))).status).toBe(200);
  });

  it('§5: a public client that refreshes an unbound token with a proof gets a bound refresh token', async () => {
    const key = await dpopKey();
    const { refreshToken } = await issueBound(server, publicClient);
    const ok = await publicRefresh(refreshToken, await dpopProof(key, { htu: tokenUrl }));
    expect(ok.body.token_type).toBe('DPoP');
    expect((await publicRefresh(String(ok.body.refresh_token))).body.error).toBe('invalid_grant');
  });

  it('§5: a confidential client\'s refresh token is not bound: it may refresh with another key, or none', async () => {
    const key = await dpopKey();
    const { refreshToken } = await issueBound(server, confidential, key);
    const other = await dpopKey();
    const rotated = await api.refresh(confidential, refreshToken, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.token_type).toBe('Bearer');
    const withOther = await postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: String(rotated.body.refresh_token) }, { authorization: confidential.basic, dpop: await dpopProof(other, { htu: tokenUrl }) });
    expect(withOther.status).toBe(200);
    expect((await api.introspect(confidential, String(withOther.body.access_token))).body.cnf).toEqual({ jkt: other.jkt });
  });
});

describe('RFC 9449 §8: authorization-server nonces', () => {
  let server: TestServer;
  let client: TestClient;
  let tokenUrl: string;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_DPOP_REQUIRE_NONCE: 'true' } });
    client = await createTestClient(server);
    tokenUrl = `${server.issuer}/token`;
  });
  afterAll(() => server.close());

  const request = (proof: string) => postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: client.basic, dpop: proof });

  it('a proof without a nonce gets 400 use_dpop_nonce with a DPoP-Nonce header; the retry with it succeeds', async () => {
    const key = await dpopKey();
    const first = await request(await dpopProof(key, { htu: tokenUrl }));
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toEqual(expect.any(String));
    const retry = await request(await dpopProof(key, { htu: tokenUrl, nonce: String(nonce) }));
    expect(retry.status).toBe(200);
    expect(retry.body.token_type).toBe('DPoP');
  });

  it('§8: a successful token response carries a fresh DPoP-Nonce, which the next request can use without failing first', async () => {
    const key = await dpopKey();
    const first = await request(await dpopProof(key, { htu: tokenUrl }));
    const issued = await request(await dpopProof(key, { htu: tokenUrl, nonce: String(first.headers.get('dpop-nonce')) }));
    expect(issued.status).toBe(200);
    const next = issued.headers.get('dpop-nonce');
    expect(next).toEqual(expect.any(String));
    const again = await request(await dpopProof(key, { htu: tokenUrl, nonce: String(next) }));
    expect(again.status).toBe(200);
    expect(again.headers.get('dpop-nonce')).toEqual(expect.any(String));
    // a Bearer request (no proof) gets none
    const bearer = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: client.basic });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('dpop-nonce')).toBeNull();
  });

  it('§9: at a protected resource a missing nonce is 401 use_dpop_nonce with a DPoP challenge and a DPoP-Nonce header', async () => {
    const resource = await startResource(server);
    try {
      const jwtClient = await createTestClient(server, { accessTokenFormat: 'jwt' });
      const key = await dpopKey();
      const challenge = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: jwtClient.basic, dpop: await dpopProof(key, { htu: tokenUrl }) });
      const nonce = String(challenge.headers.get('dpop-nonce'));
      const issued = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: jwtClient.basic, dpop: await dpopProof(key, { htu: tokenUrl, nonce }) });
      const token = String(issued.body.access_token);
      const htu = `${resource.url}/resource`;
      const without = await fetch(htu, { headers: { authorization: `DPoP ${token}`, dpop: await dpopProof(key, { htu, htm: 'GET', accessToken: token }) } });
      expect(without.status).toBe(401);
      expect(without.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
      const fresh = String(without.headers.get('dpop-nonce'));
      const ok = await fetch(htu, { headers: { authorization: `DPoP ${token}`, dpop: await dpopProof(key, { htu, htm: 'GET', accessToken: token, nonce: fresh }) } });
      expect(ok.status).toBe(200);
    } finally {
      await resource.app.close();
    }
  });

  it('a made-up nonce is use_dpop_nonce too', async () => {
    const key = await dpopKey();
    const response = await request(await dpopProof(key, { htu: tokenUrl, nonce: 'abc.AAAAAAAAAAAAAAAAAAAAAA' }));
    expect(response.body.error).toBe('use_dpop_nonce');
    expect(response.headers.get('dpop-nonce')).not.toBeNull();
  });
});

/** A protected resource as userinfo (issue 4) or a resource server will run it: the token's record, then §7 checks. */
async function startResource(server: TestServer): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  registerErrorHandler(app);
  let url = '';
  app.get('/resource', async (request) => {
    const [scheme = '', accessToken = ''] = (request.headers.authorization ?? '').split(' ');
    const found = await findToken(accessToken, 'access_token', server.server.deps);
    if (found?.kind !== 'access_token' || found.record.revokedAt !== undefined) throw new OAuthError('invalid_token', 'the access token is not active');
    await verifyDpopPresentation(
      {
        scheme,
        accessToken,
        method: request.method,
        url: `${url}/resource`,
        ...(typeof request.headers.dpop === 'string' && { proof: request.headers.dpop }),
        ...(found.record.dpopJkt !== undefined && { boundJkt: found.record.dpopJkt }),
      },
      server.server.deps,
    );
    return { sub: found.record.subject ?? found.record.clientId };
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

describe('RFC 9449 §7: a DPoP-bound access token at a protected resource', () => {
  let server: TestServer;
  let client: TestClient;
  let resource: { app: FastifyInstance; url: string };
  let key: DpopKey;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    client = await createTestClient(server, { accessTokenFormat: 'jwt' });
    resource = await startResource(server);
    key = await dpopKey();
    const issued = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: client.basic, dpop: await dpopProof(key, { htu: `${server.issuer}/token` }) });
    token = String(issued.body.access_token);
  });
  afterAll(async () => {
    await resource.app.close();
    await server.close();
  });

  const get = (headers: Record<string, string>, path = '/resource') => fetch(`${resource.url}${path}`, { headers });
  const proofFor = (options: { htu?: string; htm?: string; accessToken?: string } = {}) =>
    dpopProof(key, { htu: options.htu ?? `${resource.url}/resource`, htm: options.htm ?? 'GET', accessToken: options.accessToken ?? token });

  it('is accepted with the DPoP scheme and a proof by its key carrying ath', async () => {
    const response = await get({ authorization: `DPoP ${token}`, dpop: await proofFor() });
    expect(response.status).toBe(200);
  });

  it('is refused without a proof: 401 with a DPoP challenge', async () => {
    const response = await get({ authorization: `DPoP ${token}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it('is refused as a Bearer token (§7.1)', async () => {
    const response = await get({ authorization: `Bearer ${token}`, dpop: await proofFor() });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('is refused with a replayed proof, a proof for another URL or method, or without the right ath', async () => {
    const proof = await proofFor();
    expect((await get({ authorization: `DPoP ${token}`, dpop: proof })).status).toBe(200);
    for (const dpop of [proof, await proofFor({ htu: `${resource.url}/elsewhere` }), await proofFor({ htm: 'POST' }), await proofFor({ accessToken: 'another-token' })]) {
      const response = await get({ authorization: `DPoP ${token}`, dpop });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
    }
  });

  it('is refused with a proof by another key', async () => {
    const other = await dpopKey();
    const response = await get({ authorization: `DPoP ${token}`, dpop: await dpopProof(other, { htu: `${resource.url}/resource`, htm: 'GET', accessToken: token }) });
    expect(response.status).toBe(401);
  });
});

describe('RFC 9449 §7: latchkey/resource accepts what /token binds', () => {
  let server: TestServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startTestServer();
    client = await createTestClient(server, { accessTokenFormat: 'jwt' });
  });
  afterAll(() => server.close());

  it('a token bound at /token with a real proof verifies at the resource library with a proof by the same key, and only so', async () => {
    const key = await dpopKey();
    const issued = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: client.basic, dpop: await dpopProof(key, { htu: `${server.issuer}/token` }) });
    const token = String(issued.body.access_token);
    const verifier = createAccessTokenVerifier({ issuer: server.issuer, audience: server.config.defaultAudience });
    const url = 'https://api.example.com/things?page=2';
    const request = async (scheme: string, proofKey?: DpopKey) => ({
      method: 'GET',
      url,
      headers: new Headers({
        authorization: `${scheme} ${token}`,
        ...(proofKey !== undefined && { dpop: await dpopProof(proofKey, { htu: url, htm: 'GET', accessToken: token }) }),
      }),
    });
    const principal = await verifier.verify(await request('DPoP', key));
    expect(principal.cnf?.jkt).toBe(key.jkt);
    await expect(verifier.verify(await request('Bearer'))).rejects.toThrow();
    await expect(verifier.verify(await request('DPoP', await dpopKey()))).rejects.toThrow();
  });
});
