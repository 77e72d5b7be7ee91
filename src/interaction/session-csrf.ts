// CSRF protection of forms shown to a signed-in person outside an interaction (logout confirmation, account pages):
// a token derived from the session cookie's secret (OWASP CSRF Cheat Sheet, HMAC-based synchronizer token), which a
// cross-site page can neither read nor compute.
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../lib/hash.js';
import { OAuthError } from '../protocol/errors.js';

export function sessionCsrfToken(sessionSecret: string, purpose: string): string {
  return createHmac('sha256', sessionSecret).update(`latchkey-csrf:${purpose}`).digest('base64url');
}

export function checkSessionCsrf(form: Readonly<Record<string, unknown>>, sessionSecret: string | undefined, purpose: string): void {
  const token = form.csrf_token;
  if (sessionSecret === undefined || typeof token !== 'string' || !constantTimeEqual(token, sessionCsrfToken(sessionSecret, purpose))) {
    throw new OAuthError('access_denied', 'The form could not be verified. Go back, reload the page and try again.');
  }
}
