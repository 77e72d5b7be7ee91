// Token exchange end to end over real HTTP: RFC 8693 §2.1 (request), §2.2.1 (response), §2.2.2 (errors), §4.1 (act),
// with the per-client policy of audiences and scopes.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEpochSeconds } from '../../src/lib/clock.js';
import { signJwt } from '../../src/protocol/keys/sign-jwt.js';
import type { ClientPolicy } from '../../src/storage/records/client.js';
import { dpopKey, dpopProof } from '../support/dpop.js';
import { createTestClient, endpoints, issueUserTokens, postForm, type TestClient } from '../support/token-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const API = 'https://api.example.com';
const DOWNSTREAM = 'https://downstream.example.com';
const LEDGER = 'https://ledger.example.com';
const OTHER = 'https://other.example.com';

const RESOURCES = JSON.stringify([
  { uri: API, clients: ['gateway'] },
  { uri: DOWNSTREAM, clients: ['worker'], accessTokenFormat: 'jwt' },
  { uri: LEDGER, accessTokenFormat: 'jwt' },
  { uri: OTHER },
]);

describe('RFC 8693: token exchange', () => {
  let server: TestServer;
  let frontend: TestClient; // holds the user's tokens (aud: the API)
  let gateway: TestClient; // the API: exchanges them for the downstream service
  let worker: TestClient; // the downstream service: exchanges again, for the ledger
  let bystander: TestClient; // may use the grant type but has no policy
  let api: ReturnType<typeof endpoints>;

  const withPolicy = async (client: TestClient, tokenExchange: ClientPolicy['tokenExchange']): Promise<TestClient> => {
    const updated = { ...client.client, policy: { ...client.client.policy, tokenExchange } };
    await server.server.deps.storage.clients.update(updated);
    return { ...client, client: updated };
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_RESOURCES: RESOURCES } });
    const grantTypes = ['client_credentials', 'refresh_token', EXCHANGE];
    frontend = await withPolicy(await createTestClient(server, { grantTypes }), { audiences: [LEDGER] });
    gateway = await withPolicy(await createTestClient(server, { clientId: 'gateway', grantTypes }), { audiences: [DOWNSTREAM], scopes: ['read', 'write'] });
    worker = await withPolicy(await createTestClient(server, { clientId: 'worker', grantTypes }), { audiences: [LEDGER] });
    bystander = await createTestClient(server, { grantTypes });
    api = endpoints(server);
  });
  afterAll(() => server.close());

  const userToken = async (scope = ['offline_access', 'read', 'write']) => issueUserTokens(server, frontend, { resources: [API], scope });
  const exchange = (client: TestClient, params: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${server.url}/token`, { grant_type: EXCHANGE, subject_token_type: ACCESS_TOKEN, ...params }, { authorization: client.basic, ...headers });

  it('discovery lists the grant type', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
    expect(metadata.grant_types_supported).toContain(EXCHANGE);
  });

  it('§2.2.1, §4.1: with an actor token, issues a token for the other audience whose act names the actor', async () => {
    const { accessToken } = await userToken();
    const actorToken = String((await api.token(gateway, { grant_type: 'client_credentials' })).body.access_token);
    const response = await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM, scope: 'read', actor_token: actorToken, actor_token_type: ACCESS_TOKEN });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ access_token: expect.any(String), issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', expires_in: expect.any(Number), scope: 'read' });
    expect(response.body.refresh_token).toBeUndefined();
    const claims = decodeJwt(String(response.body.access_token));
    expect(claims).toMatchObject({ sub: 'user-alice', aud: DOWNSTREAM, client_id: 'gateway', scope: 'read', act: { sub: 'gateway' } });
    const introspected = await api.introspect(worker, String(response.body.access_token)); // the downstream service reads it
    expect(introspected.body).toMatchObject({ active: true, sub: 'user-alice', aud: DOWNSTREAM, act: { sub: 'gateway' } });
  });

  it('§4.1: without an actor token the client itself is the actor; a second exchange nests the first actor', async () => {
    const { accessToken } = await userToken();
    const first = await exchange(gateway, { subject_token: accessToken, resource: DOWNSTREAM });
    expect(first.status).toBe(200);
    expect(decodeJwt(String(first.body.access_token)).act).toEqual({ sub: 'gateway' });
    const second = await exchange(worker, { subject_token: String(first.body.access_token), audience: LEDGER });
    expect(second.status).toBe(200);
    expect(decodeJwt(String(second.body.access_token))).toMatchObject({ sub: 'user-alice', aud: LEDGER, act: { sub: 'worker', act: { sub: 'gateway' } } });
  });

  it('impersonation (no act) only when the policy allows it', async () => {
    const impersonator = await withPolicy(await createTestClient(server, { grantTypes: [EXCHANGE] }), { audiences: [LEDGER], allowImpersonation: true });
    const { accessToken } = await issueUserTokens(server, impersonator);
    const response = await exchange(impersonator, { subject_token: accessToken, audience: LEDGER });
    expect(response.status).toBe(200);
    expect(decodeJwt(String(response.body.access_token)).act).toBeUndefined();
  });

  it('the exchanged token never outlives its subject token', async () => {
    const { accessToken } = await userToken();
    const subjectExp = Number((await api.introspect(gateway, accessToken)).body.exp);
    const response = await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM });
    expect(decodeJwt(String(response.body.access_token)).exp).toBeLessThanOrEqual(subjectExp);
  });

  it('revoking the subject token\'s grant revokes the exchanged tokens (they join that grant)', async () => {
    const { accessToken, grantId } = await userToken();
    const response = await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM });
    const exchanged = String(response.body.access_token);
    expect((await api.introspect(gateway, exchanged)).body.active).toBe(true);
    await server.server.deps.storage.grants.revoke(grantId, Date.now());
    expect((await api.introspect(gateway, exchanged)).body).toEqual({ active: false });
  });

  it('RFC 9449: with a DPoP proof the exchanged token is DPoP-bound', async () => {
    const { accessToken } = await userToken();
    const key = await dpopKey();
    const response = await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM }, { dpop: await dpopProof(key, { htu: `${server.issuer}/token` }) });
    expect(response.body.token_type).toBe('DPoP');
    expect(decodeJwt(String(response.body.access_token)).cnf).toEqual({ jkt: key.jkt });
  });

  it('a client without a token exchange policy is unauthorized_client', async () => {
    const { accessToken } = await issueUserTokens(server, bystander);
    const response = await exchange(bystander, { subject_token: accessToken, audience: DOWNSTREAM });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unauthorized_client');
  });

  it('§2.2.2: an audience the policy does not list, or no configured resource, is invalid_target', async () => {
    const { accessToken } = await userToken();
    expect((await exchange(gateway, { subject_token: accessToken, audience: OTHER })).body.error).toBe('invalid_target');
    expect((await exchange(gateway, { subject_token: accessToken, audience: 'https://unknown.example.com' })).body.error).toBe('invalid_target');
    expect((await exchange(gateway, { subject_token: accessToken })).body.error).toBe('invalid_request');
  });

  it('scope beyond the subject token\'s, or beyond the policy\'s, is invalid_scope', async () => {
    const { accessToken } = await userToken(['read']);
    expect((await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM, scope: 'read write' })).body.error).toBe('invalid_scope');
    const wide = await userToken(['read', 'write', 'admin']);
    expect((await exchange(gateway, { subject_token: wide.accessToken, audience: DOWNSTREAM, scope: 'admin' })).body.error).toBe('invalid_scope');
    const narrowed = await exchange(gateway, { subject_token: wide.accessToken, audience: DOWNSTREAM });
    expect(narrowed.body.scope).toBe('read write'); // omitted: what both the subject token and the policy allow
  });

  it('§2.2.2: an inactive (revoked, expired, unknown) subject token, or one the client may not see, is invalid_request', async () => {
    const revoked = await userToken();
    await api.revoke(frontend, revoked.accessToken);
    expect((await exchange(gateway, { subject_token: revoked.accessToken, audience: DOWNSTREAM })).body.error).toBe('invalid_request');
    expect((await exchange(gateway, { subject_token: 'not-a-token', audience: DOWNSTREAM })).body.error).toBe('invalid_request');
    const notForGateway = await issueUserTokens(server, frontend, { resources: [OTHER] });
    expect((await exchange(gateway, { subject_token: notForGateway.accessToken, audience: DOWNSTREAM })).body.error).toBe('invalid_request');
  });

  it('§2.1: requested_token_type other than access_token, an unknown subject_token_type, or a lone actor_token is invalid_request', async () => {
    const { accessToken, refreshToken } = await userToken();
    const refreshType = 'urn:ietf:params:oauth:token-type:refresh_token';
    expect((await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM, requested_token_type: refreshType })).body.error).toBe('invalid_request');
    expect((await exchange(gateway, { subject_token: refreshToken, subject_token_type: refreshType, audience: DOWNSTREAM })).body.error).toBe('invalid_request');
    expect((await exchange(gateway, { subject_token: accessToken, audience: DOWNSTREAM, actor_token: accessToken })).body.error).toBe('invalid_request');
  });

  describe('an id_token as the subject token', () => {
    const idToken = (audience: string, subject = 'user-alice', expiresIn = 300): string => {
      const { deps } = server.server;
      const now = deps.clock.now();
      // Signed the way the authorization code flow signs id_tokens (OIDC Core §2): the id_token key, typ JWT.
      return signJwt(
        { iss: server.issuer, sub: subject, aud: audience, iat: toEpochSeconds(now), exp: toEpochSeconds(now) + expiresIn, auth_time: toEpochSeconds(now) },
        deps.keys.signingKey(deps.config.keys.idTokenAlg),
      );
    };

    it('is exchanged by the client it was issued to, under the user\'s grant to that client', async () => {
      const { grantId } = await issueUserTokens(server, frontend, { subject: 'user-bob', scope: ['openid', 'read'] });
      const response = await exchange(frontend, { subject_token: idToken(frontend.clientId, 'user-bob'), subject_token_type: ID_TOKEN, audience: LEDGER, scope: 'read' });
      expect(response.status).toBe(200);
      const exchanged = String(response.body.access_token);
      expect(decodeJwt(exchanged)).toMatchObject({ sub: 'user-bob', aud: LEDGER, scope: 'read', act: { sub: frontend.clientId } });
      await server.server.deps.storage.grants.revoke(grantId, Date.now());
      expect((await api.introspect(frontend, exchanged)).body).toEqual({ active: false });
      // With the grant revoked, the id_token exchanges for nothing.
      expect((await exchange(frontend, { subject_token: idToken(frontend.clientId, 'user-bob'), subject_token_type: ID_TOKEN, audience: LEDGER })).body.error).toBe('invalid_request');
    });

    it('is refused when issued to another client, expired, or not signed by this server', async () => {
      await issueUserTokens(server, frontend, { subject: 'user-carol' });
      const refuse = async (token: string) =>
        expect((await exchange(frontend, { subject_token: token, subject_token_type: ID_TOKEN, audience: LEDGER })).body.error).toBe('invalid_request');
      await refuse(idToken('someone-else', 'user-carol'));
      await refuse(idToken(frontend.clientId, 'user-carol', -10));
      const forged = idToken(frontend.clientId, 'user-carol').split('.');
      await refuse(`${forged[0]}.${Buffer.from(JSON.stringify({ iss: server.issuer, sub: 'user-carol', aud: frontend.clientId, exp: 9_999_999_999 })).toString('base64url')}.${forged[2]}`);
    });
  });
});
