// The login form: username or email and password (OIDC Core §3.1.2.3), throttled, with one message for every failure
// so the page never tells whether an account exists (OWASP Authentication Cheat Sheet).
import { recordAuditEvent } from '../protocol/audit/audit-event.js';
import { findUserByLogin } from '../protocol/users/manage-users.js';
import { verifyPassword } from '../protocol/users/password.js';
import type { InteractionDeps, InteractionInput, InteractionResult } from './interaction-result.js';
import { clearLoginFailures, loginWaitMs, recordLoginFailure } from './login-throttle.js';
import { startSession } from './sessions.js';
import { checkCsrfToken, interactionContext, loadInteraction } from './start-interaction.js';

/** RFC 8176 §2: a password; "1" is the assurance level Latchkey reports for it. */
const PASSWORD_LOGIN = { amr: ['pwd'], acr: '1' } as const;

export interface LoginInput extends InteractionInput {
  readonly form: Readonly<Record<string, unknown>>;
  /** The client's address, for the per-IP throttle and the audit log. */
  readonly ip: string;
  /** For the audit log (issue 9 item 8). */
  readonly userAgent?: string;
}

export async function submitLogin(input: LoginInput, deps: InteractionDeps): Promise<InteractionResult> {
  const { interaction, client } = await loadInteraction(input.interactionId, input.bindingSecret, deps);
  checkCsrfToken(input.form, interaction);
  const context = interactionContext(interaction, client);
  const identifier = typeof input.form.identifier === 'string' ? input.form.identifier.trim().slice(0, 320) : '';
  const password = typeof input.form.password === 'string' ? input.form.password : '';
  if (identifier === '' || password === '') {
    return { kind: 'page', status: 400, page: { page: 'login', context, identifier, error: 'missing_fields' } };
  }

  const waitMs = await loginWaitMs(identifier, input.ip, deps);
  if (waitMs > 0) {
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    return { kind: 'page', status: 429, retryAfterSeconds, page: { page: 'login', context, identifier, error: 'throttled', retryAfterSeconds } };
  }

  const user = await findUserByLogin(identifier, deps.storage);
  const matches = await verifyPassword(user?.passwordHash, password); // does the same work when there is no user
  const audit = { audit: deps.storage.audit, clock: deps.clock, random: deps.random };
  const from = { ip: input.ip, ...(input.userAgent !== undefined && { userAgent: input.userAgent }) };
  if (user === undefined || !matches || user.disabled) {
    await recordLoginFailure(identifier, input.ip, deps);
    // The identifier typed is not recorded (people type passwords into it); a known account is named by its sub.
    await recordAuditEvent({ type: 'login.failed', clientId: client.clientId, ...(user !== undefined && { subject: user.sub }), details: { reason: user === undefined ? 'unknown_account' : user.disabled ? 'disabled' : 'wrong_password' } }, { actor: 'anonymous', ...from }, audit);
    return { kind: 'page', status: 400, page: { page: 'login', context, identifier, error: 'invalid_credentials' } };
  }

  await clearLoginFailures(identifier, deps);
  await recordAuditEvent({ type: 'login.succeeded', clientId: client.clientId, subject: user.sub, details: { amr: 'pwd' } }, { actor: `user:${user.sub}`, ...from }, audit);
  const { session, cookie } = await startSession(user, PASSWORD_LOGIN, input.sessionSecret, deps);
  await deps.storage.interactions.update(interaction.id, { sessionId: session.id, accountConfirmed: true, loginRequested: false });
  return { kind: 'continue', interactionId: interaction.id, session: cookie };
}
