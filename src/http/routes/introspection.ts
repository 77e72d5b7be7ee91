// POST /introspect: RFC 7662 §2.
import type { FastifyInstance } from 'fastify';
import type { IntrospectionEndpoint } from '../../protocol/introspection/introspect-token.js';
import { formPostRoute } from './form-post.js';

export function introspectionRoute(app: FastifyInstance, path: string, endpointUrl: string, introspect: IntrospectionEndpoint): void {
  formPostRoute(app, path, (request) =>
    introspect({
      body: request.body,
      endpointUrl,
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
    }),
  );
}
