// The demo's protected API (step 7 of the flow): Fastify with latchkey/resource. Opaque tokens are introspected on
// every call (RFC 7662, cache off), so a revocation (RFC 7009) shows at once as 401 (RFC 6750 §3.1).
import Fastify, { type FastifyInstance } from 'fastify';
import { buildProtectedResourceMetadata, createAccessTokenVerifier, fastifyResource, protectedResourceMetadataUrl, type Principal } from 'latchkey/resource';

export const NOTES_SCOPE = 'notes:read';

export interface ResourceApiOptions {
  readonly issuer: string;
  /** This API's resource identifier (RFC 8707), e.g. http://127.0.0.1:PORT: the `aud` of its tokens. */
  readonly resource: string;
  readonly port: number;
  /** The API's own client at Latchkey, to introspect opaque tokens (RFC 7662 §2.1). */
  readonly introspection: { readonly clientId: string; readonly clientSecret: string };
}

export async function startResourceApi(options: ResourceApiOptions): Promise<FastifyInstance> {
  const verifier = createAccessTokenVerifier({
    issuer: options.issuer,
    audience: options.resource,
    introspection: options.introspection,
    introspectionCacheSeconds: 0, // the demo shows revocation at once; a real API may cache for a few seconds
    realm: 'demo-api',
    resourceMetadataUrl: protectedResourceMetadataUrl(options.resource),
  });
  const app = Fastify();
  await app.register(fastifyResource, {
    verifier,
    metadata: buildProtectedResourceMetadata({
      resource: options.resource,
      authorizationServers: [options.issuer],
      scopesSupported: [NOTES_SCOPE],
      resourceName: 'Latchkey demo notes API',
    }),
  });
  app.get('/', { config: { resource: false } }, async () => ({ api: 'Latchkey demo notes API', routes: { 'GET /api/notes': `needs ${NOTES_SCOPE}` } }));
  app.get('/api/notes', { config: { resource: { scopes: [NOTES_SCOPE] } } }, async (request) => {
    const principal = (request as unknown as { principal: Principal }).principal;
    return {
      owner: principal.subject,
      client_id: principal.clientId,
      scope: principal.scope.join(' '),
      notes: [
        { id: 1, text: 'Buy milk' },
        { id: 2, text: 'Read RFC 6749 §4.1 on the authorization code grant' },
      ],
    };
  });
  await app.listen({ host: '127.0.0.1', port: options.port });
  return app;
}
