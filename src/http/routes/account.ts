// The account pages of the signed-in person: GET /account, and its forms (303 after each, RFC 9700 §4.12).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountInput, AccountResult } from '../../interaction/account.js';
import { requestOrigin } from '../audit-context.js';
import { clearSessionCookie, readCookie, type CookieSettings } from '../cookies.js';
import { sendPage, sendRedirect, type PageRenderer } from '../page-response.js';

type Step = (input: AccountInput) => Promise<AccountResult>;

export interface AccountRouteOptions {
  readonly show: Step;
  readonly revokeApp: Step;
  readonly signOutEverywhere: Step;
  readonly changePassword: Step;
  readonly cookies: CookieSettings;
  readonly render: PageRenderer;
}

export function accountRoutes(app: FastifyInstance, options: AccountRouteOptions): void {
  const { cookies, render } = options;
  const send = (reply: FastifyReply, result: AccountResult): FastifyReply => {
    if (result.kind === 'redirect') return sendRedirect(reply, result.location);
    if (result.clearSession === true) clearSessionCookie(reply, cookies);
    return sendPage(reply, render, result.page, result.status);
  };
  const input = (request: FastifyRequest): AccountInput => {
    const form = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : undefined;
    const notice = (request.query as Record<string, unknown>).notice;
    return { sessionSecret: readCookie(request, cookies.sessionName), origin: requestOrigin(request), ...(form !== undefined && { form }), ...(typeof notice === 'string' && { notice }) };
  };
  const config = { page: true };
  app.get('/account', { config }, async (request, reply) => send(reply, await options.show(input(request))));
  app.post('/account/apps/revoke', { config }, async (request, reply) => send(reply, await options.revokeApp(input(request))));
  app.post('/account/sessions/end-all', { config }, async (request, reply) => send(reply, await options.signOutEverywhere(input(request))));
  app.post('/account/password', { config }, async (request, reply) => send(reply, await options.changePassword(input(request))));
}
