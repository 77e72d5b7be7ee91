// The pages at the end of a session and the account page: logout confirmation and the signed-out page (OIDC
// RP-Initiated Logout 1.0 §2-§3), and connected apps, sessions and password change (DESIGN.md step 9). Every dynamic
// value is escaped; no inline script or style.
import { escapeHtml } from '@kitajs/html';
import type { AccountDisplay, AccountPage, LogoutConfirmPage, SignedOutPage } from '../interaction/pages.js';
import { Layout } from './layout.js';
import { describeScope } from './scope-descriptions.js';
import type { Theme } from './theme.js';

const e = (text: string): string => escapeHtml(text);
const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function Account({ account }: { readonly account: AccountDisplay }): JSX.Element {
  return (
    <div class="lk-account">
      <strong>{e(account.name ?? account.username)}</strong>
      <span class="lk-muted">{e(account.email ?? account.username)}</span>
    </div>
  );
}

export function LogoutConfirmView({ theme, model }: { readonly theme: Theme; readonly model: LogoutConfirmPage }): JSX.Element {
  return (
    <Layout theme={theme} title="Sign out">
      <h1>Sign out?</h1>
      <Account account={model.account} />
      <p>{e(model.clientName !== undefined ? `${model.clientName} asks to sign you out of ${theme.productName}.` : `Do you want to sign out of ${theme.productName}?`)}</p>
      <form method="post" action="/logout/confirm">
        <input type="hidden" name="csrf_token" value={model.csrfToken} />
        {Object.entries(model.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <div class="lk-actions">
          <button type="submit" name="decision" value="logout" class="lk-button">
            Sign out
          </button>
          <button type="submit" name="decision" value="stay" class="lk-button lk-button-secondary">
            Stay signed in
          </button>
        </div>
      </form>
    </Layout>
  );
}

const SIGNED_OUT = {
  logged_out: ['You are signed out', 'You can close this page.'],
  not_signed_in: ['You are not signed in', 'Sign in through an application to see your account.'],
  stayed_signed_in: ['You are still signed in', 'Nothing changed. You can close this page.'],
} as const;

export function SignedOutView({ theme, model }: { readonly theme: Theme; readonly model: SignedOutPage }): JSX.Element {
  const [heading, text] = SIGNED_OUT[model.reason];
  return (
    <Layout theme={theme} title={heading}>
      <h1>{e(heading)}</h1>
      <p>{e(model.clientName !== undefined && model.reason === 'logged_out' ? `You are signed out of ${theme.productName}. You can return to ${model.clientName}.` : text)}</p>
    </Layout>
  );
}

const NOTICES = {
  app_revoked: 'The application no longer has access to your account.',
  password_changed: 'Your password was changed. Your other sessions were signed out.',
  sessions_ended: 'Your sessions were signed out.',
} as const;

const PASSWORD_ERRORS = {
  wrong_password: 'The current password is not right.',
  weak_password: 'The new password must have at least 8 characters.',
  mismatch: 'The new passwords do not match.',
} as const;

function Csrf({ model }: { readonly model: AccountPage }): JSX.Element {
  return <input type="hidden" name="csrf_token" value={model.csrfToken} />;
}

export function AccountView({ theme, model }: { readonly theme: Theme; readonly model: AccountPage }): JSX.Element {
  const passwordError = model.passwordError === undefined ? undefined : PASSWORD_ERRORS[model.passwordError];
  const invalid = passwordError !== undefined ? 'true' : undefined;
  const described = passwordError !== undefined ? 'password-error' : undefined;
  return (
    <Layout theme={theme} title="Your account">
      <h1>Your account</h1>
      {model.notice !== undefined ? (
        <div class="lk-alert" role="status">
          {e(NOTICES[model.notice])}
        </div>
      ) : ''}
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <Account account={model.account} />
        <p class="lk-muted">{e(`Username: ${model.account.username}`)}</p>
      </section>

      <section aria-labelledby="apps-heading">
        <h2 id="apps-heading">Connected apps</h2>
        {model.apps.length === 0 ? <p class="lk-muted">No application has access to your account.</p> : ''}
        <ul class="lk-apps">
          {model.apps.map((app) => (
            <li class="lk-app">
              <h3>{e(app.name)}</h3>
              <p class="lk-muted">{e(`Allowed ${when(app.grantedAt)}${app.lastUsedAt !== undefined ? `, last used ${when(app.lastUsedAt)}` : ''}`)}</p>
              <ul class="lk-scopes">
                {app.scopes.map((scope) => (
                  <li>{e(describeScope(scope))}</li>
                ))}
              </ul>
              <form method="post" action="/account/apps/revoke">
                <Csrf model={model} />
                <input type="hidden" name="client_id" value={app.clientId} />
                <button type="submit" class="lk-button lk-button-secondary" aria-label={`Remove access of ${app.name}`}>
                  Remove access
                </button>
              </form>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <ul class="lk-sessions">
          {model.sessions.map((session) => (
            <li>{e(`Signed in ${when(session.createdAt)}, last active ${when(session.lastSeenAt)}${session.current ? ' (this browser)' : ''}`)}</li>
          ))}
        </ul>
        <form method="post" action="/account/sessions/end-all">
          <Csrf model={model} />
          <button type="submit" class="lk-button lk-button-secondary">
            Sign out everywhere
          </button>
        </form>
      </section>

      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        {passwordError !== undefined ? (
          <div class="lk-alert" role="alert" id="password-error">
            {e(passwordError)}
          </div>
        ) : ''}
        <form method="post" action="/account/password">
          <Csrf model={model} />
          <div class="lk-field">
            <label for="current_password">Current password</label>
            <input type="password" id="current_password" name="current_password" autocomplete="current-password" required aria-invalid={invalid} aria-describedby={described} />
          </div>
          <div class="lk-field">
            <label for="new_password">New password</label>
            <input type="password" id="new_password" name="new_password" autocomplete="new-password" minlength="8" required />
          </div>
          <div class="lk-field">
            <label for="confirm_password">New password again</label>
            <input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" minlength="8" required />
          </div>
          <div class="lk-actions">
            <button type="submit" class="lk-button">
              Change password
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}
