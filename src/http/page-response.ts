// Sending HTML pages and authorization responses with the security headers every page carries: CSP with
// frame-ancestors 'none' (CSP3 §6.4.2), X-Frame-Options DENY (RFC 7034), Referrer-Policy no-referrer (codes in URLs
// must not leak, RFC 9700 §4.2.4), Cache-Control no-store (RFC 6749 §5.1 spirit: nothing of a login is cached).
import type { FastifyReply } from 'fastify';
import type { PageModel } from '../interaction/pages.js';
import type { AuthorizationResponse } from '../protocol/authorization/authorization-request.js';
import { responseLocation } from '../protocol/authorization/authorization-response.js';

export type PageRenderer = (model: PageModel) => { readonly html: string; readonly contentSecurityPolicy: string };

export const PAGE_SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
} as const;

/** The CSP of responses that are not pages (redirects): nothing may load, nothing may frame. */
const REDIRECT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function sendPage(reply: FastifyReply, render: PageRenderer, model: PageModel, status = 200, retryAfterSeconds?: number): FastifyReply {
  const { html, contentSecurityPolicy } = render(model);
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).headers(PAGE_SECURITY_HEADERS).header('content-security-policy', contentSecurityPolicy).type('text/html; charset=utf-8').send(html);
}

/** A 303 (RFC 9700 §4.12: never 307, which would repost the form with the password to the client). */
export function sendRedirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).headers(PAGE_SECURITY_HEADERS).header('content-security-policy', REDIRECT_CSP).header('location', location).send();
}

/** The authorization response in its response mode: a redirect with query or fragment, or an auto-submitting form. */
export function sendAuthorizationResponse(reply: FastifyReply, render: PageRenderer, response: AuthorizationResponse): FastifyReply {
  if (response.responseMode === 'form_post') return sendPage(reply, render, { page: 'form_post', response });
  return sendRedirect(reply, responseLocation(response));
}
