// Spring Authorization Server CVE-2024-22258 and RFC 9700 §4.8.2 (PKCE downgrade), over real HTTP: a code issued
// without a code_challenge (a confidential client, LATCHKEY_PKCE_REQUIRED=public) cannot be redeemed with a
// code_verifier, and a code issued with one cannot be redeemed without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeOverHttp, codeRequest, createAuthorizationClient, createTestUser, exchangeCode, responseParams, type AuthorizationClient } from '../../support/authorization-fixtures.js';
import { HttpAgent } from '../../support/http-agent.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

let server: TestServer;
let client: AuthorizationClient;

beforeAll(async () => {
  server = await startTestServer({ env: { LATCHKEY_PKCE_REQUIRED: 'public' } });
  await createTestUser(server);
  client = await createAuthorizationClient(server);
});
afterAll(async () => {
  await server?.close();
});

async function code(overrides: Record<string, string | undefined>): Promise<{ code: string; verifier: string }> {
  const request = codeRequest(client, overrides);
  const response = await authorizeOverHttp(new HttpAgent(server.url), request.path);
  const value = responseParams(response.headers.get('location') as string).get('code');
  expect(value).toBeTruthy();
  return { code: value as string, verifier: request.pkce.verifier };
}

describe('Spring Authorization Server CVE-2024-22258 / RFC 9700 §4.8.2: PKCE downgrade', () => {
  it('a code issued without code_challenge is refused when a code_verifier is sent', async () => {
    const issued = await code({ code_challenge: undefined, code_challenge_method: undefined });
    const response = await exchangeCode(server, client, issued.code, issued.verifier);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('a code issued with code_challenge is refused without its code_verifier', async () => {
    const issued = await code({});
    const response = await exchangeCode(server, client, issued.code, undefined);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('code_challenge_method=plain is refused at /authorize (S256 only, RFC 9700 §2.1.1)', async () => {
    const request = codeRequest(client, { code_challenge_method: 'plain' });
    const response = await fetch(`${server.url}${request.path}`, { redirect: 'manual' });
    const location = response.headers.get('location');
    expect(location?.startsWith(client.redirectUri) === true ? responseParams(location).get('error') : response.status >= 400 ? 'refused' : 'accepted').not.toBe('accepted');
  });
});
