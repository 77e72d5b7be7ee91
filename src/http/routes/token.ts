// POST /token: RFC 6749 §3.2. The route only translates; the dispatcher and the grants hold the rules.
import type { FastifyInstance } from 'fastify';
import type { TokenEndpoint } from '../../protocol/grants/token-endpoint.js';
import { formPostRoute } from './form-post.js';

export function tokenRoute(app: FastifyInstance, path: string, endpointUrl: string, token: TokenEndpoint): void {
  formPostRoute(app, path, (request) =>
    token({
      body: request.body,
      endpointUrl,
      ip: request.ip,
      ...(typeof request.headers['user-agent'] === 'string' && { userAgent: request.headers['user-agent'] }),
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
      ...(typeof request.headers.dpop === 'string' && { dpop: request.headers.dpop }),
    }),
  );
}
