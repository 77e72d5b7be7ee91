// POST /par: the pushed authorization request endpoint (RFC 9126 §2). 201 with the request_uri; errors as JSON (§2.3).
import type { FastifyInstance } from 'fastify';
import type { PushedAuthorizationRequestEndpoint } from '../../protocol/authorization/push-authorization-request.js';
import { NO_STORE } from '../error-handler.js';

export function pushedAuthorizationRequestRoute(app: FastifyInstance, options: { path: string; endpointUrl: string; push: PushedAuthorizationRequestEndpoint }): void {
  app.post(options.path, async (request, reply) => {
    const body = await options.push({
      body: request.body,
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
      endpointUrl: options.endpointUrl,
    });
    return reply.code(201).headers(NO_STORE).send(body);
  });
}
