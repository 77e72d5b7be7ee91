// GET /.well-known/oauth-authorization-server (RFC 8414 §3) and /.well-known/openid-configuration (OIDC Discovery §4).
// The plain GET is usually answered before Fastify (static-documents.ts); these routes answer the rest.
import type { FastifyInstance } from 'fastify';
import type { ServerMetadata } from '../../protocol/discovery/server-metadata.js';
import type { StaticDocument } from '../static-documents.js';

export const DISCOVERY_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'] as const;
const CACHE_CONTROL = 'public, max-age=300';
const CONTENT_TYPE = 'application/json; charset=utf-8';

/** Registers both routes; returns the documents for the front handler (built once: they only change with configuration). */
export function discoveryRoutes(app: FastifyInstance, metadata: ServerMetadata): StaticDocument[] {
  const body = Buffer.from(JSON.stringify(metadata));
  for (const path of DISCOVERY_PATHS) {
    app.get(path, (_request, reply) => {
      reply.header('cache-control', CACHE_CONTROL).header('access-control-allow-origin', '*').type(CONTENT_TYPE).send(body);
    });
  }
  return DISCOVERY_PATHS.map((path) => ({ path, contentType: CONTENT_TYPE, cacheControl: CACHE_CONTROL, body: () => body }));
}
