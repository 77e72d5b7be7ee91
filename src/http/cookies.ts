// Latchkey's cookies (RFC 6265bis): the login session and the per-interaction binding. HttpOnly, SameSite=Lax (sent on
// the top-level navigation from the client to /authorize, not on cross-site subrequests), Secure unless the issuer is
// plain http on a loopback address (development), and with the __Host-/__Secure- prefixes when Secure.
import type {} from '@fastify/cookie'; // its type augmentation: request.cookies, reply.setCookie
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookieSettings {
  readonly secure: boolean;
  readonly sessionName: string;
  readonly interactionName: string;
}

export function cookieSettings(issuer: string): CookieSettings {
  const secure = new URL(issuer).protocol === 'https:';
  return {
    secure,
    sessionName: secure ? '__Host-latchkey_session' : 'latchkey_session',
    interactionName: secure ? '__Secure-latchkey_interaction' : 'latchkey_interaction',
  };
}

export const interactionPath = (interactionId: string): string => `/interaction/${encodeURIComponent(interactionId)}`;

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies[name];
  return value === undefined || value === '' ? undefined : value;
}

export function setSessionCookie(reply: FastifyReply, settings: CookieSettings, secret: string, maxAgeSeconds: number): void {
  reply.setCookie(settings.sessionName, secret, { path: '/', httpOnly: true, secure: settings.secure, sameSite: 'lax', maxAge: maxAgeSeconds });
}

/** Scoped to the interaction's own path, so interactions in several tabs do not overwrite each other's cookie. */
export function setInteractionCookie(reply: FastifyReply, settings: CookieSettings, interactionId: string, secret: string, maxAgeSeconds: number): void {
  reply.setCookie(settings.interactionName, secret, { path: interactionPath(interactionId), httpOnly: true, secure: settings.secure, sameSite: 'lax', maxAge: maxAgeSeconds });
}

export function clearInteractionCookie(reply: FastifyReply, settings: CookieSettings, interactionId: string): void {
  reply.clearCookie(settings.interactionName, { path: interactionPath(interactionId), httpOnly: true, secure: settings.secure, sameSite: 'lax' });
}

export function clearSessionCookie(reply: FastifyReply, settings: CookieSettings): void {
  reply.clearCookie(settings.sessionName, { path: '/', httpOnly: true, secure: settings.secure, sameSite: 'lax' });
}
