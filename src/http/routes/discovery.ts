// GET /.well-known/oauth-authorization-server (RFC 8414 §3) and /.well-known/openid-configuration (OIDC Discovery §4).
import type { FastifyInstance } from 'fastify';
import type { ServerMetadata } from '../../protocol/discovery/server-metadata.js';

export function discoveryRoutes(app: FastifyInstance, metadata: ServerMetadata): void {
  const body = JSON.stringify(metadata); // built once: the document only changes with configuration
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(path, (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*').type('application/json; charset=utf-8').send(body);
    });
  }
}
