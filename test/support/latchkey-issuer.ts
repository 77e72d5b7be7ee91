// A real Latchkey (startTestServer) as the IssuerUnderTest of the resource-server suite: tokens from POST /token
// (client_credentials, RFC 8707 resource), revocation by POST /revoke, introspection by the API's own client.
import { decodeProtectedHeader, type JWK } from 'jose';
import { signJwt } from '../../src/protocol/keys/sign-jwt.js';
import { createTokenIssuer } from '../../src/protocol/tokens/create-token-issuer.js';
import type { IssuerUnderTest, TokenRequest } from './issuer-under-test.js';
import { startTestServer } from './test-server.js';
import { createTestClient, endpoints, type TestClient } from './token-fixtures.js';

export const API_RESOURCE = 'https://api.example.com';
export const OTHER_RESOURCE = 'https://elsewhere.example.com';

export async function startLatchkeyIssuer(): Promise<IssuerUnderTest> {
  const server = await startTestServer({
    env: {
      // RFC 8707: the API and another resource; the API authenticates as `resource-api` to introspect (RFC 7662 §4).
      LATCHKEY_RESOURCES: JSON.stringify([{ uri: API_RESOURCE, clients: ['resource-api'] }, { uri: OTHER_RESOURCE }]),
      LATCHKEY_KEY_PREPUBLICATION_SECONDS: '0', // a rotated key signs at once, so the suite sees a new kid
    },
  });
  const { deps } = server.server;
  const resourceApi = await createTestClient(server, { clientId: 'resource-api', grantTypes: ['client_credentials'] });
  const clients = {
    jwt: await createTestClient(server, { accessTokenFormat: 'jwt', scope: 'read write' }),
    opaque: await createTestClient(server, { accessTokenFormat: 'opaque', scope: 'read write' }),
  };
  const api = endpoints(server);

  async function token(client: TestClient, request: TokenRequest = {}): Promise<string> {
    const scope = request.scope ?? ['read', 'write'];
    const resource = request.audience ?? API_RESOURCE;
    if (request.jkt !== undefined) {
      // DPoP at the token endpoint is issue 6; the issuer already binds tokens it is asked to (RFC 9449 §6).
      const issued = await createTokenIssuer(deps).issue({ client: client.client, audit: { grantType: 'client_credentials' }, scope, resources: [resource], refreshToken: false, dpopJkt: request.jkt });
      return issued.accessToken;
    }
    const response = await api.token(client, { grant_type: 'client_credentials', scope: scope.join(' '), resource });
    if (response.status !== 200) throw new Error(`token request failed: ${response.text}`);
    return String(response.body.access_token);
  }

  return {
    issuer: server.issuer,
    audience: API_RESOURCE,
    introspection: { clientId: resourceApi.clientId, clientSecret: resourceApi.secret },
    jwt: (request) => token(clients.jwt, request),
    opaque: (request) => token(clients.opaque, request),
    async revoke(accessToken) {
      const response = await api.revoke(clients.opaque, accessToken);
      if (response.status !== 200) throw new Error(`revocation failed: ${response.text}`);
    },
    async foreignIssuerJwt() {
      const now = Math.floor(deps.clock.now() / 1000);
      const claims = { iss: 'https://evil.example.com', sub: 'user-mallory', aud: API_RESOURCE, exp: now + 600, iat: now, jti: 'forged', client_id: clients.jwt.clientId, scope: 'read write' };
      return signJwt(claims, deps.keys.signingKey(server.config.keys.accessTokenAlg), 'at+jwt');
    },
    async signingJwk() {
      const { kid } = decodeProtectedHeader(await token(clients.jwt));
      const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: JWK[] };
      const jwk = jwks.keys.find((key) => key.kid === kid);
      if (jwk === undefined) throw new Error('the signing key is not published');
      return jwk;
    },
    async rotateKeys() {
      await deps.keys.rotate(server.config.keys.accessTokenAlg);
    },
    close: () => server.close(),
  };
}
