// The pages of an interaction: GET /interaction/:id shows the next step; POST …/login, …/select-account and …/consent
// take the forms and answer with 303 (RFC 9700 §4.12) or a page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionInput, InteractionResult } from '../../interaction/interaction-result.js';
import type { AuditOrigin } from '../../protocol/audit/audit-event.js';
import { requestOrigin } from '../audit-context.js';
import { clearInteractionCookie, interactionPath, readCookie, setSessionCookie, type CookieSettings } from '../cookies.js';
import { sendAuthorizationResponse, sendPage, sendRedirect, type PageRenderer } from '../page-response.js';

type Form = Readonly<Record<string, unknown>>;

export interface InteractionSteps {
  show(input: InteractionInput): Promise<InteractionResult>;
  login(input: InteractionInput & { form: Form; ip: string }): Promise<InteractionResult>;
  selectAccount(input: InteractionInput & { form: Form }): Promise<InteractionResult>;
  consent(input: InteractionInput & { form: Form; origin: AuditOrigin }): Promise<InteractionResult>;
}

export interface InteractionRouteOptions {
  readonly steps: InteractionSteps;
  readonly cookies: CookieSettings;
  readonly render: PageRenderer;
}

export function interactionRoutes(app: FastifyInstance, { steps, cookies, render }: InteractionRouteOptions): void {
  const input = (request: FastifyRequest): InteractionInput => {
    const { id } = request.params as { id: string };
    return { interactionId: id, bindingSecret: readCookie(request, cookies.interactionName), sessionSecret: readCookie(request, cookies.sessionName) };
  };
  const form = (request: FastifyRequest): Form => (typeof request.body === 'object' && request.body !== null ? (request.body as Form) : {});

  const send = (reply: FastifyReply, interactionId: string, result: InteractionResult): FastifyReply => {
    if (result.kind === 'page') return sendPage(reply, render, result.page, result.status, result.retryAfterSeconds);
    if (result.kind === 'continue') {
      if (result.session !== undefined) setSessionCookie(reply, cookies, result.session.secret, result.session.maxAgeSeconds);
      return sendRedirect(reply, interactionPath(result.interactionId));
    }
    clearInteractionCookie(reply, cookies, interactionId);
    return sendAuthorizationResponse(reply, render, result.response);
  };

  const config = { page: true };
  app.get('/interaction/:id', { config }, async (request, reply) => {
    const base = input(request);
    return send(reply, base.interactionId, await steps.show(base));
  });
  app.post('/interaction/:id/login', { config }, async (request, reply) => {
    const base = input(request);
    return send(reply, base.interactionId, await steps.login({ ...base, form: form(request), ip: request.ip, ...(typeof request.headers['user-agent'] === 'string' && { userAgent: request.headers['user-agent'] }) }));
  });
  app.post('/interaction/:id/select-account', { config }, async (request, reply) => {
    const base = input(request);
    return send(reply, base.interactionId, await steps.selectAccount({ ...base, form: form(request) }));
  });
  app.post('/interaction/:id/consent', { config }, async (request, reply) => {
    const base = input(request);
    return send(reply, base.interactionId, await steps.consent({ ...base, form: form(request), origin: requestOrigin(request) }));
  });
}
