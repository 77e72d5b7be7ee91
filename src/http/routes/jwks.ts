// GET /jwks: the public signing keys (RFC 7517 §5). Cached briefly: far shorter than the key pre-publication period.
import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../../protocol/keys/key-ring.js';

export function jwksRoute(app: FastifyInstance, path: string, keys: KeyRing): void {
  app.get(path, async (_request, reply) => {
    await keys.refreshIfStale();
    return reply
      .header('cache-control', 'public, max-age=300, stale-while-revalidate=60')
      .header('access-control-allow-origin', '*')
      .type('application/jwk-set+json; charset=utf-8')
      .send(JSON.stringify(keys.jwks()));
  });
}
