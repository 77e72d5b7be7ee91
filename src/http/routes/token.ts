// POST /token: RFC 6749 §3.2. The route only translates; the dispatcher and the grants hold the rules.
import type { FastifyInstance } from 'fastify';
import type { TokenEndpoint } from '../../protocol/grants/token-endpoint.js';
import type { TokenResponse } from '../../protocol/tokens/token-issuer.js';
import { formPostRoute } from './form-post.js';

/** Sees each successful token response with the grant_type that produced it (the metrics). */
export type TokenResponseObserver = (grantType: string, response: TokenResponse) => void;

/** `nextDpopNonce`: RFC 9449 §8, a fresh DPoP-Nonce on a successful response to a DPoP request (when nonces are on). */
export function tokenRoute(
  app: FastifyInstance,
  path: string,
  endpointUrl: string,
  token: TokenEndpoint,
  nextDpopNonce: () => string | undefined = () => undefined,
  observe?: TokenResponseObserver,
): void {
  formPostRoute(app, path, async (request, reply) => {
    const response = await token({
      body: request.body,
      endpointUrl,
      ip: request.ip,
      ...(typeof request.headers['user-agent'] === 'string' && { userAgent: request.headers['user-agent'] }),
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
      ...(typeof request.headers.dpop === 'string' && { dpop: request.headers.dpop }),
    });
    const nonce = request.headers.dpop === undefined ? undefined : nextDpopNonce();
    if (nonce !== undefined) reply.header('dpop-nonce', nonce);
    // A response means the grant_type was one the server serves: the label set stays bounded.
    if (observe !== undefined) observe(String((request.body as Record<string, unknown>).grant_type), response);
    return response;
  });
}
