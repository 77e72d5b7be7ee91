// GET and POST /userinfo (OIDC Core §5.3.1): the claims as JSON, never cached; errors carry WWW-Authenticate (RFC 6750 §3).
import type { FastifyInstance } from 'fastify';
import type { UserInfoEndpoint } from '../../protocol/userinfo/userinfo.js';
import { NO_STORE } from '../error-handler.js';

export function userInfoRoutes(app: FastifyInstance, path: string, userinfo: UserInfoEndpoint): void {
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: path,
      handler: async (request, reply) => {
        const claims = await userinfo({
          ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
          ...(method === 'POST' && { body: request.body }),
          ...(typeof request.headers.dpop === 'string' && { dpop: request.headers.dpop }),
          method,
        });
        return reply.headers(NO_STORE).header('access-control-allow-origin', '*').send(claims);
      },
    });
  }
}
