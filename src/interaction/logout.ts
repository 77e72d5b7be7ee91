// RP-Initiated Logout 1.0 §2-§3 at Latchkey's end_session_endpoint: a request tied to this browser's session (by the
// id_token_hint's sid, or its sub) ends it at once; any other asks the person first (a CSRF-protected form), so a
// third-party page cannot sign people out. The session ends through endSession (back-channel logout); consents stay.
import type { AuditOrigin } from '../protocol/audit/audit-event.js';
import type { KeyRing } from '../protocol/keys/key-ring.js';
import { endSession } from '../protocol/sessions/end-session.js';
import { postLogoutLocation, validateLogoutRequest, type LogoutRequest } from '../protocol/sessions/logout-request.js';
import { accountDisplay } from './continue-interaction.js';
import type { InteractionDeps } from './interaction-result.js';
import type { PageModel } from './pages.js';
import { checkSessionCsrf, sessionCsrfToken } from './session-csrf.js';
import { findSession } from './sessions.js';

export interface LogoutDeps extends InteractionDeps {
  readonly keys: KeyRing;
}

export type LogoutResult =
  | { readonly kind: 'page'; readonly page: PageModel; readonly status: number; readonly clearSession: boolean }
  | { readonly kind: 'redirect'; readonly location: string; readonly clearSession: true };

const CSRF_PURPOSE = 'logout';

function finished(request: LogoutRequest): LogoutResult {
  const location = postLogoutLocation(request);
  if (location !== undefined) return { kind: 'redirect', location, clearSession: true };
  const clientName = request.client?.metadata.client_name;
  return { kind: 'page', status: 200, clearSession: true, page: { page: 'signed_out', reason: 'logged_out', ...(clientName !== undefined && { clientName }) } };
}

/** GET or POST of the end_session_endpoint. @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout */
export async function requestLogout(input: { readonly params: unknown; readonly sessionSecret: string | undefined; readonly origin?: AuditOrigin }, deps: LogoutDeps): Promise<LogoutResult> {
  const request = await validateLogoutRequest(input.params, deps);
  const active = await findSession(input.sessionSecret, deps);
  if (active === undefined) return finished(request); // nothing to end here
  const hint = request.idTokenHint;
  const tied = hint !== undefined && (hint.sessionId !== undefined ? hint.sessionId === active.session.id : hint.subject === active.user.sub);
  if (tied) {
    await endSession(active.session.id, deps, { reason: 'logout', context: { actor: `user:${active.user.sub}`, ...input.origin } });
    return finished(request);
  }
  const fields: Record<string, string> = {};
  if (request.client !== undefined) fields.client_id = request.client.clientId;
  if (request.postLogoutRedirectUri !== undefined) fields.post_logout_redirect_uri = request.postLogoutRedirectUri;
  if (request.state !== undefined) fields.state = request.state;
  const clientName = request.client?.metadata.client_name;
  return {
    kind: 'page',
    status: 200,
    clearSession: false,
    page: {
      page: 'logout_confirm',
      csrfToken: sessionCsrfToken(input.sessionSecret as string, CSRF_PURPOSE),
      account: accountDisplay(active.user),
      fields,
      ...(clientName !== undefined && { clientName }),
      ...(request.postLogoutRedirectUri !== undefined && { redirectUri: request.postLogoutRedirectUri }),
    },
  };
}

/** The confirmation form: "Sign out" ends the session, "Stay signed in" keeps it. */
export async function confirmLogout(input: { readonly form: Readonly<Record<string, unknown>>; readonly sessionSecret: string | undefined; readonly origin?: AuditOrigin }, deps: LogoutDeps): Promise<LogoutResult> {
  const { csrf_token: _csrf, decision, ...rest } = input.form;
  const request = await validateLogoutRequest(rest, deps); // the carried fields are checked again, never trusted
  const active = await findSession(input.sessionSecret, deps);
  if (active === undefined) return finished(request);
  checkSessionCsrf(input.form, input.sessionSecret, CSRF_PURPOSE);
  if (decision !== 'logout') {
    const clientName = request.client?.metadata.client_name;
    return { kind: 'page', status: 200, clearSession: false, page: { page: 'signed_out', reason: 'stayed_signed_in', ...(clientName !== undefined && { clientName }) } };
  }
  await endSession(active.session.id, deps, { reason: 'logout', context: { actor: `user:${active.user.sub}`, ...input.origin } });
  return finished(request);
}
