// GET and POST /authorize (RFC 6749 §3.1: both methods; OIDC Core §3.1.2.1). Parses, calls the endpoint, answers.
import type { FastifyInstance } from 'fastify';
import type { AuthorizationEndpoint } from '../../protocol/authorization/authorize.js';
import { readCookie, setInteractionCookie, interactionPath, type CookieSettings } from '../cookies.js';
import { sendAuthorizationResponse, sendRedirect, type PageRenderer } from '../page-response.js';

export interface AuthorizeRouteOptions {
  readonly path: string;
  readonly authorize: AuthorizationEndpoint;
  readonly cookies: CookieSettings;
  readonly render: PageRenderer;
}

export function authorizeRoutes(app: FastifyInstance, { path, authorize, cookies, render }: AuthorizeRouteOptions): void {
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: path,
      config: { page: true }, // errors not redirected are shown as a page (error-handler.ts)
      handler: async (request, reply) => {
        const params = (method === 'GET' ? request.query : request.body) as Record<string, unknown> | undefined;
        const outcome = await authorize({ params: params ?? {}, sessionSecret: readCookie(request, cookies.sessionName) });
        if (outcome.kind === 'respond') return sendAuthorizationResponse(reply, render, outcome.response);
        setInteractionCookie(reply, cookies, outcome.interactionId, outcome.binding.secret, outcome.binding.maxAgeSeconds);
        return sendRedirect(reply, interactionPath(outcome.interactionId));
      },
    });
  }
}
