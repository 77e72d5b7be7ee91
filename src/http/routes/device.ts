// The device authorization grant's HTTP side (RFC 8628): POST /device_authorization (§3.1, form-encoded, JSON answer)
// and the verification page /device (§3.3), whose form is protected by a double-submit cookie.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserCodeInput, UserCodeResult } from '../../interaction/verify-device.js';
import type { DeviceEntryPage } from '../../interaction/pages.js';
import type { DeviceAuthorizationEndpoint } from '../../protocol/device/authorize-device.js';
import { interactionPath, readCookie, setInteractionCookie, type CookieSettings } from '../cookies.js';
import { sendPage, sendRedirect, type PageRenderer } from '../page-response.js';
import { formPostRoute } from './form-post.js';

export interface DeviceRouteOptions {
  readonly authorizationPath: string;
  readonly authorizationEndpointUrl: string;
  readonly authorize: DeviceAuthorizationEndpoint;
  readonly verificationPath: string;
  readonly entryPage: (csrfToken: string, prefill: unknown) => DeviceEntryPage;
  readonly submitUserCode: (input: UserCodeInput) => Promise<UserCodeResult>;
  readonly newCsrfToken: () => string;
  readonly cookies: CookieSettings;
  readonly render: PageRenderer;
}

export function deviceRoutes(app: FastifyInstance, options: DeviceRouteOptions): void {
  const { cookies, render, verificationPath } = options;
  formPostRoute(app, options.authorizationPath, (request) =>
    options.authorize({
      body: request.body,
      endpointUrl: options.authorizationEndpointUrl,
      ...(request.headers.authorization !== undefined && { authorization: request.headers.authorization }),
    }),
  );

  const csrfCookie = cookies.secure ? '__Secure-latchkey_device_csrf' : 'latchkey_device_csrf';
  const cookieOptions = { path: verificationPath, httpOnly: true, secure: cookies.secure, sameSite: 'lax' as const };
  const config = { page: true };
  app.get(verificationPath, { config }, async (request, reply) => {
    // One token per browser, kept while it lives, so two tabs do not invalidate each other's forms.
    const token = readCookie(request, csrfCookie) ?? options.newCsrfToken();
    reply.setCookie(csrfCookie, token, cookieOptions);
    return sendPage(reply, render, options.entryPage(token, (request.query as Record<string, unknown>).user_code));
  });
  app.post(verificationPath, { config }, async (request: FastifyRequest, reply) => {
    const form = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
    const result = await options.submitUserCode({ form, csrfCookie: readCookie(request, csrfCookie), ip: request.ip });
    if (result.kind === 'page') return sendPage(reply, render, result.page, result.status, result.retryAfterSeconds);
    const { interactionId, binding } = result.started;
    setInteractionCookie(reply, cookies, interactionId, binding.secret, binding.maxAgeSeconds);
    return sendRedirect(reply, interactionPath(interactionId));
  });
}
