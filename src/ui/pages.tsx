// Latchkey's pages: login, account chooser, consent (OIDC Core §3.1.2.3-§3.1.2.4), error, and the form_post response
// (Form Post Response Mode §2). Every dynamic value is escaped; no inline script or style (the CSP forbids both).
import { escapeHtml } from '@kitajs/html';
import type { AccountChooserPage, AccountDisplay, ConsentPage, ErrorPage, FormPostPage, InteractionContext, LoginPage } from '../interaction/pages.js';
import { Layout } from './layout.js';
import { describeScope } from './scope-descriptions.js';
import { ASSET_PATHS, type Theme } from './theme.js';

const e = (text: string): string => escapeHtml(text);

const formAction = (context: InteractionContext, step: string): string => `/interaction/${encodeURIComponent(context.interactionId)}/${step}`;

function CsrfField({ context }: { readonly context: InteractionContext }): JSX.Element {
  return <input type="hidden" name="csrf_token" value={context.csrfToken} />;
}

function ClientHeading({ context, heading }: { readonly context: InteractionContext; readonly heading: string }): JSX.Element {
  const { client } = context;
  return (
    <div class="lk-client">
      {client.logoUri !== undefined ? <img src={client.logoUri} alt={`${client.name} logo`} /> : ''}
      <h1>{e(heading)}</h1>
    </div>
  );
}

function Account({ account }: { readonly account: AccountDisplay }): JSX.Element {
  return (
    <div class="lk-account">
      <strong>{e(account.name ?? account.username)}</strong>
      <span class="lk-muted">{e(account.email ?? account.username)}</span>
    </div>
  );
}

function ClientLinks({ context }: { readonly context: InteractionContext }): JSX.Element {
  const { client } = context;
  const links = [
    client.policyUri !== undefined ? <a href={client.policyUri}>Privacy policy</a> : '',
    client.tosUri !== undefined ? <a href={client.tosUri}>Terms of service</a> : '',
  ].filter((link) => link !== '');
  return links.length === 0 ? '' : <p class="lk-links lk-muted">{links.join(' · ')}</p>;
}

const LOGIN_ERRORS = {
  invalid_credentials: 'The username, email or password is not right. Check them and try again.',
  missing_fields: 'Enter your username or email and your password.',
  throttled: 'Too many attempts. Wait a moment, then try again.',
} as const;

export function LoginView({ theme, model }: { readonly theme: Theme; readonly model: LoginPage }): JSX.Element {
  const { context } = model;
  const message = model.error === undefined ? undefined : model.error === 'throttled' && model.retryAfterSeconds !== undefined
    ? `Too many attempts. Try again in ${model.retryAfterSeconds} second${model.retryAfterSeconds === 1 ? '' : 's'}.`
    : LOGIN_ERRORS[model.error];
  return (
    <Layout theme={theme} title="Sign in">
      <ClientHeading context={context} heading="Sign in" />
      <p class="lk-muted">{e(`to continue to ${context.client.name}`)}</p>
      {message !== undefined ? (
        <div class="lk-alert" role="alert" id="login-error">
          {e(message)}
        </div>
      ) : ''}
      <form method="post" action={formAction(context, 'login')} novalidate>
        <CsrfField context={context} />
        <div class="lk-field">
          <label for="identifier">Username or email</label>
          <input
            type="text"
            id="identifier"
            name="identifier"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            required
            value={model.identifier ?? ''}
            aria-invalid={message !== undefined ? 'true' : undefined}
            aria-describedby={message !== undefined ? 'login-error' : undefined}
            autofocus={model.identifier === undefined || model.identifier === ''}
          />
        </div>
        <div class="lk-field">
          <label for="password">Password</label>
          <input
            type="password"
            id="password"
            name="password"
            autocomplete="current-password"
            required
            aria-invalid={message !== undefined ? 'true' : undefined}
            aria-describedby={message !== undefined ? 'login-error' : undefined}
            autofocus={model.identifier !== undefined && model.identifier !== ''}
          />
        </div>
        <div class="lk-actions">
          <button type="submit" class="lk-button">
            Sign in
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function AccountChooserView({ theme, model }: { readonly theme: Theme; readonly model: AccountChooserPage }): JSX.Element {
  const { context } = model;
  const who = model.account.name ?? model.account.username;
  return (
    <Layout theme={theme} title="Choose an account">
      <ClientHeading context={context} heading="Choose an account" />
      <p class="lk-muted">{e(`to continue to ${context.client.name}`)}</p>
      <Account account={model.account} />
      <form method="post" action={formAction(context, 'select-account')}>
        <CsrfField context={context} />
        <div class="lk-actions">
          <button type="submit" name="choice" value="continue" class="lk-button">
            {e(`Continue as ${who}`)}
          </button>
          <button type="submit" name="choice" value="switch" class="lk-button lk-button-secondary">
            Use another account
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function ConsentView({ theme, model }: { readonly theme: Theme; readonly model: ConsentPage }): JSX.Element {
  const { context } = model;
  return (
    <Layout theme={theme} title="Allow access">
      <ClientHeading context={context} heading={`${context.client.name} wants to access your account`} />
      <Account account={model.account} />
      <p id="scopes-heading">{e(`If you allow it, ${context.client.name} will be able to:`)}</p>
      <ul class="lk-scopes" aria-labelledby="scopes-heading">
        {model.scopes.map((scope) => (
          <li>
            {e(describeScope(scope))}
            {model.newScopes.includes(scope) && model.newScopes.length < model.scopes.length ? <span class="lk-badge">New</span> : ''}
          </li>
        ))}
      </ul>
      <ClientLinks context={context} />
      <form method="post" action={formAction(context, 'consent')}>
        <CsrfField context={context} />
        <div class="lk-actions">
          <button type="submit" name="decision" value="allow" class="lk-button">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="lk-button lk-button-secondary">
            Deny
          </button>
        </div>
      </form>
    </Layout>
  );
}

const ERROR_HEADINGS: Readonly<Record<string, string>> = {
  access_denied: 'This request could not be completed',
  invalid_request: 'This request is not valid',
  invalid_request_uri: 'This request is not valid',
  not_found: 'Page not found',
  server_error: 'Something went wrong',
  temporarily_unavailable: 'Please try again shortly',
};

export function ErrorView({ theme, model }: { readonly theme: Theme; readonly model: ErrorPage }): JSX.Element {
  const heading = ERROR_HEADINGS[model.code] ?? 'This request could not be completed';
  return (
    <Layout theme={theme} title={heading}>
      <h1>{e(heading)}</h1>
      <p>{e(model.description ?? 'The application sent a request that cannot be completed.')}</p>
      <p class="lk-muted">You can close this page and return to the application.</p>
      <p class="lk-code">{e(`Error: ${model.code}`)}</p>
    </Layout>
  );
}

export function FormPostView({ theme, model }: { readonly theme: Theme; readonly model: FormPostPage }): JSX.Element {
  return (
    <Layout theme={theme} title="Continue" scripts={[ASSET_PATHS.formPostScript]}>
      <h1>Continue to the application</h1>
      <form method="post" action={model.response.redirectUri} id="lk-form-post">
        {Object.entries(model.response.params).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <p class="lk-muted">If nothing happens, select Continue.</p>
        <div class="lk-actions">
          <button type="submit" class="lk-button">
            Continue
          </button>
        </div>
      </form>
    </Layout>
  );
}
