// GET /jwks: the public signing keys (RFC 7517 §5). Cached briefly: far shorter than the key pre-publication period.
// The plain GET is usually answered before Fastify (static-documents.ts); this route answers the rest, and refreshes
// the keys when they are stale.
import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../../protocol/keys/key-ring.js';
import type { StaticDocument } from '../static-documents.js';

export const JWKS_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';
export const JWKS_CONTENT_TYPE = 'application/jwk-set+json; charset=utf-8';

export function jwksRoute(app: FastifyInstance, path: string, keys: KeyRing): void {
  app.get(path, async (_request, reply) => {
    await keys.refreshIfStale();
    return reply.header('cache-control', JWKS_CACHE_CONTROL).header('access-control-allow-origin', '*').type(JWKS_CONTENT_TYPE).send(keys.jwksDocument());
  });
}

/** The same document for the front handler: left to the route above while the keys need rereading. */
export function jwksDocument(path: string, keys: KeyRing): StaticDocument {
  return { path, contentType: JWKS_CONTENT_TYPE, cacheControl: JWKS_CACHE_CONTROL, body: () => (keys.isStale ? undefined : keys.jwksDocument()) };
}
