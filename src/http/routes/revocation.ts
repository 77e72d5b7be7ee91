// POST /revoke: RFC 7009 §2. Success is an empty 200, for unknown tokens too (§2.2).
import type { FastifyInstance } from 'fastify';
import type { RevocationEndpoint } from '../../protocol/revocation/revoke-token.js';
import { requestOrigin } from '../audit-context.js';
import { formPostRoute } from './form-post.js';

export function revocationRoute(app: FastifyInstance, path: string, endpointUrl: string, revoke: RevocationEndpoint): void {
  formPostRoute(app, path, (request) =>
    revoke({
      body: request.body,
      endpointUrl,
      origin: requestOrigin(request),
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
    }),
  );
}
