// The signed-in person's account page (DESIGN.md step 9, by the user): profile, password change with re-authentication
// (OWASP ASVS V2.1.5, the current password), connected apps with revocation (RFC 7009 §2.1: the grant and every token
// of it; Back-Channel Logout §2.7 to the app), and active sessions with "sign out everywhere".
import type { AuditOrigin } from '../protocol/audit/audit-event.js';
import { OAuthError } from '../protocol/errors.js';
import { endSession, endSessionsOf, revokeClientAccess } from '../protocol/sessions/end-session.js';
import { checkPasswordRules, hashPassword, verifyPassword } from '../protocol/users/password.js';
import { accountDisplay } from './continue-interaction.js';
import type { InteractionDeps } from './interaction-result.js';
import type { AccountPage, ConnectedApp, PageModel } from './pages.js';
import { checkSessionCsrf, sessionCsrfToken } from './session-csrf.js';
import { findSession, type ActiveSession } from './sessions.js';

export type AccountResult =
  | { readonly kind: 'page'; readonly page: PageModel; readonly status: number; readonly clearSession?: boolean }
  | { readonly kind: 'redirect'; readonly location: string };

export interface AccountInput {
  readonly sessionSecret: string | undefined;
  readonly form?: Readonly<Record<string, unknown>>;
  readonly notice?: string;
  /** For the audit events of revocation and sign-out. */
  readonly origin?: AuditOrigin;
}

const CSRF_PURPOSE = 'account';
const NOTICES = ['app_revoked', 'password_changed', 'sessions_ended'] as const;
const notSignedIn: AccountResult = { kind: 'page', status: 401, page: { page: 'signed_out', reason: 'not_signed_in' } };

async function accountPage(active: ActiveSession, secret: string, deps: InteractionDeps, extra: Pick<AccountPage, 'notice' | 'passwordError'>): Promise<AccountPage> {
  const now = deps.clock.now();
  const grants = (await deps.storage.grants.listBySubject(active.user.sub)).filter((grant) => grant.expiresAt === undefined || grant.expiresAt > now);
  const apps = new Map<string, ConnectedApp>();
  for (const grant of grants.reverse()) {
    const known = apps.get(grant.clientId);
    const client = known === undefined ? await deps.storage.clients.find(grant.clientId) : undefined;
    const lastUsedAt = Math.max(known?.lastUsedAt ?? 0, grant.lastUsedAt ?? grant.createdAt);
    apps.set(grant.clientId, {
      clientId: grant.clientId,
      name: known?.name ?? client?.metadata.client_name ?? grant.clientId,
      scopes: [...new Set([...(known?.scopes ?? []), ...grant.scope])],
      grantedAt: known?.grantedAt ?? grant.createdAt,
      lastUsedAt,
    });
  }
  const sessions = (await deps.storage.sessions.listBySubject(active.user.sub)).map((session) => ({
    id: session.id,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    current: session.id === active.session.id,
  }));
  return { page: 'account', csrfToken: sessionCsrfToken(secret, CSRF_PURPOSE), account: accountDisplay(active.user), apps: [...apps.values()], sessions, ...extra };
}

/** GET /account. */
export async function showAccount(input: AccountInput, deps: InteractionDeps): Promise<AccountResult> {
  const active = await findSession(input.sessionSecret, deps);
  if (active === undefined) return notSignedIn;
  const notice = NOTICES.find((known) => known === input.notice);
  return { kind: 'page', status: 200, page: await accountPage(active, input.sessionSecret as string, deps, notice === undefined ? {} : { notice }) };
}

async function signedInForm(input: AccountInput, deps: InteractionDeps): Promise<{ active: ActiveSession; form: Readonly<Record<string, unknown>> } | undefined> {
  const active = await findSession(input.sessionSecret, deps);
  if (active === undefined) return undefined;
  const form = input.form ?? {};
  checkSessionCsrf(form, input.sessionSecret, CSRF_PURPOSE);
  return { active, form };
}

/** POST /account/apps/revoke: every grant the person gave the app (its tokens with them), and the consent. */
export async function revokeApp(input: AccountInput, deps: InteractionDeps): Promise<AccountResult> {
  const signedIn = await signedInForm(input, deps);
  if (signedIn === undefined) return notSignedIn;
  const clientId = signedIn.form.client_id;
  if (typeof clientId !== 'string' || clientId === '') throw new OAuthError('invalid_request', 'Choose an application to remove.');
  await revokeClientAccess(signedIn.active.user.sub, clientId, deps, { actor: `user:${signedIn.active.user.sub}`, ...input.origin });
  return { kind: 'redirect', location: '/account?notice=app_revoked' };
}

/** POST /account/sessions/end-all: "sign out everywhere", this browser included. */
export async function signOutEverywhere(input: AccountInput, deps: InteractionDeps): Promise<AccountResult> {
  const signedIn = await signedInForm(input, deps);
  if (signedIn === undefined) return notSignedIn;
  await endSessionsOf(signedIn.active.user.sub, deps, { reason: 'sign_out_everywhere', context: { actor: `user:${signedIn.active.user.sub}`, ...input.origin } });
  return { kind: 'page', status: 200, clearSession: true, page: { page: 'signed_out', reason: 'logged_out' } };
}

/** POST /account/password: the current password again, then the new one twice; the person's other sessions end. */
export async function changePassword(input: AccountInput, deps: InteractionDeps): Promise<AccountResult> {
  const signedIn = await signedInForm(input, deps);
  if (signedIn === undefined) return notSignedIn;
  const { active, form } = signedIn;
  const text = (name: string): string => (typeof form[name] === 'string' ? (form[name] as string) : '');
  const failed = async (passwordError: NonNullable<AccountPage['passwordError']>): Promise<AccountResult> => ({
    kind: 'page',
    status: 400,
    page: await accountPage(active, input.sessionSecret as string, deps, { passwordError }),
  });
  if (!(await verifyPassword(active.user.passwordHash, text('current_password')))) return failed('wrong_password');
  if (text('new_password') !== text('confirm_password')) return failed('mismatch');
  try {
    checkPasswordRules(text('new_password'));
  } catch {
    return failed('weak_password');
  }
  const updated = { ...active.user, passwordHash: await hashPassword(text('new_password')), updatedAt: deps.clock.now() };
  if ((await deps.storage.users.update(updated)) !== 'updated') throw new OAuthError('invalid_request', 'The account could not be updated.');
  for (const session of await deps.storage.sessions.listBySubject(active.user.sub)) {
    if (session.id !== active.session.id) await endSession(session.id, deps); // whoever knew the old password is signed out
  }
  return { kind: 'redirect', location: '/account?notice=password_changed' };
}
