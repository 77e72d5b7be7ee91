// POST /introspect: RFC 7662 §2, with the signed response of RFC 9701 §5 when the caller accepts it.
import type { FastifyInstance } from 'fastify';
import type { IntrospectionEndpoint } from '../../protocol/introspection/introspect-token.js';
import { INTROSPECTION_JWT_MEDIA_TYPE } from '../../protocol/introspection/sign-introspection-response.js';
import { formPostRoute } from './form-post.js';

export function introspectionRoute(app: FastifyInstance, path: string, endpointUrl: string, introspect: IntrospectionEndpoint): void {
  formPostRoute(app, path, async (request, reply) => {
    const result = await introspect({
      body: request.body,
      endpointUrl,
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
      ...(request.headers.accept !== undefined && { accept: request.headers.accept }),
    });
    if ('json' in result) return result.json;
    reply.type(INTROSPECTION_JWT_MEDIA_TYPE);
    return result.jwt;
  });
}
