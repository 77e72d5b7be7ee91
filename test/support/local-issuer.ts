// A stand-in authorization server for unit-level tests of latchkey/resource: RFC 8414 metadata, a JWKS (RFC 7517)
// and RFC 7662 introspection served by node:http on loopback; tokens signed with jose.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { IssuerUnderTest, TokenRequest } from './issuer-under-test.js';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface LocalIssuer extends IssuerUnderTest {
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: number;
  readonly introspectionRequests: number;
  /** Signs arbitrary claims and header with the current key (or `key`), for hostile-token tests. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>, key?: SigningKey): Promise<string>;
  /** A key the issuer does not publish. */
  unpublishedKey(): Promise<SigningKey>;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomBytes(8).toString('base64url');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export async function startLocalIssuer(options: { audience?: string } = {}): Promise<LocalIssuer> {
  const audience = options.audience ?? 'https://api.example.com';
  const introspection = { clientId: 'resource-api', clientSecret: 'resource secret/+=' };
  const keys: SigningKey[] = [await newKey()];
  const opaqueTokens = new Map<string, Record<string, unknown>>();
  let jwksRequests = 0;
  let introspectionRequests = 0;
  let issuer = '';

  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/oauth-authorization-server') {
      return json(200, { issuer, jwks_uri: `${issuer}/jwks`, introspection_endpoint: `${issuer}/introspect` });
    }
    if (req.url === '/jwks') {
      jwksRequests++;
      return json(200, { keys: keys.map((key) => key.publicJwk) });
    }
    if (req.url === '/introspect' && req.method === 'POST') {
      introspectionRequests++;
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const expected = `Basic ${Buffer.from(`resource-api:${encodeURIComponent(introspection.clientSecret).replace(/%20/g, '+')}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return json(401, { error: 'invalid_client' });
        const token = new URLSearchParams(body).get('token') ?? '';
        const claims = opaqueTokens.get(token);
        const live = claims !== undefined && (claims.exp as number) > Date.now() / 1000;
        return json(200, live ? { active: true, ...claims } : { active: false });
      });
      return undefined;
    }
    return json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const current = (): SigningKey => keys[keys.length - 1] as SigningKey;
  const claimsFor = (request: TokenRequest = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: issuer,
      sub: 'user-alice',
      aud: request.audience ?? audience,
      client_id: 'client-app',
      scope: (request.scope ?? ['read', 'write']).join(' '),
      iat: now,
      exp: now + 600,
      jti: randomBytes(12).toString('base64url'),
      ...(request.jkt !== undefined && { cnf: { jkt: request.jkt } }),
    };
  };
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: SigningKey = current()) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header }).sign(key.privateKey);

  return {
    issuer,
    audience,
    introspection,
    get jwksRequests() {
      return jwksRequests;
    },
    get introspectionRequests() {
      return introspectionRequests;
    },
    sign,
    unpublishedKey: newKey,
    jwt: (request) => sign(claimsFor(request)),
    async opaque(request) {
      const token = randomBytes(32).toString('base64url');
      const { jti: _jti, ...claims } = claimsFor(request);
      opaqueTokens.set(token, { ...claims, token_type: request?.jkt === undefined ? 'Bearer' : 'DPoP' });
      return token;
    },
    async revoke(token) {
      opaqueTokens.delete(token);
    },
    foreignIssuerJwt: () => sign({ ...claimsFor(), iss: 'https://evil.example.com' }),
    async signingJwk() {
      return current().publicJwk;
    },
    async rotateKeys() {
      keys.push(await newKey());
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
