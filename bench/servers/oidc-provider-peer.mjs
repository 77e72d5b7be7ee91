// The benchmark's peer: node-oidc-provider 9 configured like Latchkey for the measured scenarios (in-memory adapter,
// client_credentials, introspection, revocation; opaque access tokens, or RFC 9068 JWTs through resource indicators).
// Clients come from LATCHKEY_BENCH_PEER_CLIENTS (JSON metadata); the harness creates the same clients on both servers.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.LATCHKEY_BENCH_PEER_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.LATCHKEY_BENCH_PEER_CLIENTS ?? '[]');

const jwk = (alg, pair) => ({ ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg}-bench` });
const keys = [
  jwk('RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })),
  jwk('ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })),
];

// Resource indicators (RFC 8707) are how node-oidc-provider issues JWT access tokens; the alg follows the resource.
const RESOURCES = { 'urn:bench:es256': 'ES256', 'urn:bench:rs256': 'RS256' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'api'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined, // no resource: an opaque access token, as Latchkey's opaque policy
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, resource) => {
        const alg = RESOURCES[resource];
        if (alg === undefined) throw new Provider.errors.InvalidTarget();
        return { scope: 'api', audience: resource, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
      },
    },
  },
  ttl: { ClientCredentials: 600, AccessToken: 600 },
  enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'RS256'] },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`peer server_error: ${error.stack}\n`));

const server = createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${issuer}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
