// The end_session_endpoint (OIDC RP-Initiated Logout 1.0 §2: GET and POST) and its confirmation form; answers with a
// 303 to the verified post_logout_redirect_uri (§3) or a page, and clears the session cookie when the session ended.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LogoutResult } from '../../interaction/logout.js';
import type { AuditOrigin } from '../../protocol/audit/audit-event.js';
import { requestOrigin } from '../audit-context.js';
import { clearSessionCookie, readCookie, type CookieSettings } from '../cookies.js';
import { sendPage, sendRedirect, type PageRenderer } from '../page-response.js';

type Input = { readonly params: unknown; readonly sessionSecret: string | undefined; readonly origin?: AuditOrigin };

export interface LogoutRouteOptions {
  readonly path: string;
  readonly request: (input: Input) => Promise<LogoutResult>;
  readonly confirm: (input: { readonly form: Readonly<Record<string, unknown>>; readonly sessionSecret: string | undefined; readonly origin?: AuditOrigin }) => Promise<LogoutResult>;
  readonly cookies: CookieSettings;
  readonly render: PageRenderer;
}

export function logoutRoutes(app: FastifyInstance, options: LogoutRouteOptions): void {
  const { cookies, render } = options;
  const secret = (request: FastifyRequest): string | undefined => readCookie(request, cookies.sessionName);
  const send = (reply: FastifyReply, result: LogoutResult): FastifyReply => {
    if (result.clearSession) clearSessionCookie(reply, cookies);
    return result.kind === 'redirect' ? sendRedirect(reply, result.location) : sendPage(reply, render, result.page, result.status);
  };
  const config = { page: true };
  app.get(options.path, { config }, async (request, reply) => send(reply, await options.request({ params: request.query, sessionSecret: secret(request), origin: requestOrigin(request) })));
  app.post(options.path, { config }, async (request, reply) => send(reply, await options.request({ params: request.body ?? {}, sessionSecret: secret(request), origin: requestOrigin(request) })));
  app.post(`${options.path}/confirm`, { config }, async (request, reply) => {
    const form = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
    return send(reply, await options.confirm({ form, sessionSecret: secret(request), origin: requestOrigin(request) }));
  });
}
