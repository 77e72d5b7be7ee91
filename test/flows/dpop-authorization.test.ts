// DPoP in the authorization code flow over real HTTP: RFC 9449 §10 (code bound by dpop_jkt at /authorize), §10.1 (a
// proof at PAR), §5 (the code exchange issues DPoP-bound tokens), §7 (UserInfo with a DPoP-bound token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeOverHttp, codeRequest, createAuthorizationClient, createTestUser, exchangeCode, responseParams, type AuthorizationClient } from '../support/authorization-fixtures.js';
import { dpopKey, dpopProof, type DpopKey } from '../support/dpop.js';
import { HttpAgent } from '../support/http-agent.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('RFC 9449 §10: DPoP in the authorization code flow', () => {
  let server: TestServer;
  let client: AuthorizationClient;
  let tokenUrl: string;
  beforeAll(async () => {
    server = await startTestServer();
    await createTestUser(server, 'alice');
    client = await createAuthorizationClient(server, { public: true });
    tokenUrl = `${server.issuer}/token`;
  });
  afterAll(() => server.close());

  async function obtainCode(overrides: Record<string, string | undefined> = {}, path?: string) {
    const request = codeRequest(client, overrides);
    const response = await authorizeOverHttp(new HttpAgent(server.url), path ?? request.path);
    const params = responseParams(response.headers.get('location') as string);
    return { code: params.get('code') as string, verifier: request.pkce.verifier };
  }
  const proof = (key: DpopKey) => dpopProof(key, { htu: tokenUrl });

  it('a code bound by dpop_jkt is refused without a proof or with another key (and stays usable), redeemed with its key', async () => {
    const key = await dpopKey();
    const { code, verifier } = await obtainCode({ dpop_jkt: key.jkt });
    expect(((await (await exchangeCode(server, client, code, verifier)).json()) as Record<string, unknown>).error).toBe('invalid_grant');
    const other = await dpopKey();
    const withOther = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(other) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier, client_id: client.clientId }),
    });
    expect(((await withOther.json()) as Record<string, unknown>).error).toBe('invalid_grant');
    const ok = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(key) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier, client_id: client.clientId }),
    });
    const body = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect(body.token_type).toBe('DPoP');
  });

  it('a malformed dpop_jkt is refused at /authorize', async () => {
    const request = codeRequest(client, { dpop_jkt: 'not-a-thumbprint' });
    const response = await new HttpAgent(server.url).get(request.path);
    const location = response.headers.get('location');
    expect(location === null ? response.status : responseParams(location).get('error')).toBe('invalid_request');
  });

  it('§10.1: a proof at PAR binds the code; the code exchange with that key gives DPoP tokens that work at UserInfo (§7)', async () => {
    const key = await dpopKey();
    const pushed = codeRequest(client);
    const par = await fetch(`${server.url}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await dpopProof(key, { htu: `${server.issuer}/par` }) },
      body: new URLSearchParams(Object.entries(pushed.params).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
    expect(par.status).toBe(201);
    const { request_uri: requestUri } = (await par.json()) as { request_uri: string };
    const response = await authorizeOverHttp(new HttpAgent(server.url), `/authorize?${new URLSearchParams({ client_id: client.clientId, request_uri: requestUri })}`);
    const code = responseParams(response.headers.get('location') as string).get('code') as string;
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: pushed.pkce.verifier, client_id: client.clientId });
    expect(((await (await exchangeCode(server, client, code, pushed.pkce.verifier)).json()) as Record<string, unknown>).error).toBe('invalid_grant');
    const ok = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(key) }, body: form });
    const tokens = (await ok.json()) as Record<string, string>;
    expect(tokens.token_type).toBe('DPoP');
    const accessToken = String(tokens.access_token);

    const userinfo = `${server.issuer}/userinfo`;
    const asBearer = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(asBearer.status).toBe(401);
    const noProof = await fetch(`${server.url}/userinfo`, { headers: { authorization: `DPoP ${accessToken}` } });
    expect(noProof.status).toBe(401);
    expect(noProof.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    const good = await dpopProof(key, { htu: userinfo, htm: 'GET', accessToken });
    const claims = await fetch(`${server.url}/userinfo`, { headers: { authorization: `DPoP ${accessToken}`, dpop: good } });
    expect(claims.status).toBe(200);
    expect(((await claims.json()) as Record<string, unknown>).sub).toEqual(expect.any(String));
    const replayed = await fetch(`${server.url}/userinfo`, { headers: { authorization: `DPoP ${accessToken}`, dpop: good } });
    expect(replayed.status).toBe(401);
  });

  it('§10.1: dpop_jkt at PAR that contradicts the proof is invalid_request', async () => {
    const key = await dpopKey();
    const other = await dpopKey();
    const pushed = codeRequest(client, { dpop_jkt: other.jkt });
    const par = await fetch(`${server.url}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await dpopProof(key, { htu: `${server.issuer}/par` }) },
      body: new URLSearchParams(Object.entries(pushed.params).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
    expect(par.status).toBe(400);
    expect(((await par.json()) as Record<string, unknown>).error).toBe('invalid_request');
  });
});
