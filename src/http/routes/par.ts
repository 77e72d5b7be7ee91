// POST /par: the pushed authorization request endpoint (RFC 9126 §2). 201 with the request_uri; errors as JSON (§2.3).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PushedAuthorizationRequestEndpoint } from '../../protocol/authorization/push-authorization-request.js';
import { OAuthError } from '../../protocol/errors.js';
import { NO_STORE } from '../error-handler.js';

/** RFC 9126 §2.1: the request is application/x-www-form-urlencoded, like a token request. */
async function requireForm(request: FastifyRequest): Promise<void> {
  const media = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (media !== 'application/x-www-form-urlencoded') throw new OAuthError('unsupported_media_type', 'the request body must be application/x-www-form-urlencoded');
}

export function pushedAuthorizationRequestRoute(app: FastifyInstance, options: { path: string; endpointUrl: string; push: PushedAuthorizationRequestEndpoint }): void {
  app.post(options.path, { onRequest: requireForm }, async (request, reply) => {
    const body = await options.push({
      body: request.body,
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
      endpointUrl: options.endpointUrl,
      ...(typeof request.headers.dpop === 'string' && { dpop: request.headers.dpop }), // RFC 9449 §10.1
    });
    return reply.code(201).headers(NO_STORE).send(body);
  });
}
