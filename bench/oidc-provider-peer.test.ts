// The peer's authorization code flow is what `bench --peer oidc-provider` measures in the refresh, userinfo and
// authorization-code scenarios: prove it is configured as the brief says (Latchkey's equivalents), over real HTTP,
// with the same browserless script the load generator uses. No timing is asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizePath, CODE_VERIFIER, codeFrom, logIn } from './lib/browserless.js';
import { freePort, startProcess, type ServerProcess } from './lib/processes.js';

const redirectUri = 'http://127.0.0.1:1/cb';
const secret = 'bench-code-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const user = { username: 'bench-user', password: 'bench-password-0123456789', email: 'bench@example.com' };
const jwtClient = { clientId: 'bench-code', redirectUri, scope: 'openid profile email offline_access api', parameters: { resource: 'urn:bench:es256' } };
const opaqueClient = { clientId: 'bench-code', redirectUri, scope: 'openid profile email offline_access' };
const basic = `Basic ${Buffer.from(`bench-code:${secret}`).toString('base64')}`;
let peer: ServerProcess;

beforeAll(async () => {
  const clients = [{ client_id: 'bench-code', client_secret: secret, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' }];
  peer = await startProcess({
    name: 'oidc-provider',
    command: process.execPath,
    args: [new URL('servers/oidc-provider-peer.mjs', import.meta.url).pathname],
    env: { ...process.env, NODE_ENV: 'production', LATCHKEY_BENCH_PEER_PORT: String(await freePort()), LATCHKEY_BENCH_PEER_CLIENTS: JSON.stringify(clients), LATCHKEY_BENCH_PEER_USER: JSON.stringify(user) },
    ready: /listening on (http:\/\/\S+)/,
  });
});
afterAll(() => peer?.stop());

async function token(fields: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${peer.url}/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}
const header = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>;
const exchange = (code: string) => token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: CODE_VERIFIER });

describe('Issue #10 §1: the peer (node-oidc-provider) runs the code-flow scenarios', () => {
  it('refuses a wrong password at its login form', async () => {
    await expect(logIn(peer.url, '/auth', jwtClient, user.username, 'wrong-password')).rejects.toThrow(/HTTP 401/);
  });

  it('logs in over HTTP, remembers the grant, issues ES256 access tokens, RS256 id_tokens and rotates refresh tokens', async () => {
    const { cookie, code } = await logIn(peer.url, '/auth', jwtClient, user.username, user.password);
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(header(first.body.access_token as string)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(header(first.body.id_token as string).alg).toBe('RS256');
    expect(first.body.refresh_token?.split('.')).toHaveLength(1); // opaque

    // Remembered consent: the session cookie alone gets a code, no interaction.
    const again = await fetch(`${peer.url}${authorizePath('/auth', jwtClient)}`, { redirect: 'manual', headers: { cookie } });
    expect(codeFrom(again.headers.get('location') ?? undefined, redirectUri), again.headers.get('location') ?? '').toBeDefined();

    // RFC 9700 §4.14.2: rotation; the spent token is refused.
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(header(rotated.body.access_token as string).alg).toBe('ES256');
    const replay = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('answers userinfo for the opaque access token of a request without a resource', async () => {
    const { code } = await logIn(peer.url, '/auth', opaqueClient, user.username, user.password);
    const { body } = await exchange(code);
    expect(body.access_token?.split('.')).toHaveLength(1);
    const response = await fetch(`${peer.url}/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: expect.any(String), preferred_username: user.username, email: user.email });
  });

  it('requires PKCE (RFC 7636) of the confidential client', async () => {
    const query = new URLSearchParams({ response_type: 'code', client_id: 'bench-code', redirect_uri: redirectUri, scope: 'openid' });
    const response = await fetch(`${peer.url}/auth?${query}`, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? 'http://invalid/');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});
