// The device verification pages (RFC 8628 §3.3): enter the user code shown on the device, then the outcome. Sign-in and
// consent in between are the interaction's own pages. Every dynamic value is escaped; no inline script or style.
import { escapeHtml } from '@kitajs/html';
import type { DeviceDonePage, DeviceEntryPage } from '../interaction/pages.js';
import { Layout } from './layout.js';
import type { Theme } from './theme.js';

const e = (text: string): string => escapeHtml(text);

const ENTRY_ERRORS = {
  invalid_code: 'That code is not valid or has expired. Check the code on your device and try again.',
  missing_code: 'Enter the code shown on your device.',
  throttled: 'Too many attempts. Wait a moment, then try again.',
} as const;

export function DeviceEntryView({ theme, model }: { readonly theme: Theme; readonly model: DeviceEntryPage }): JSX.Element {
  const message =
    model.error === undefined
      ? undefined
      : model.error === 'throttled' && model.retryAfterSeconds !== undefined
        ? `Too many attempts. Try again in ${model.retryAfterSeconds} second${model.retryAfterSeconds === 1 ? '' : 's'}.`
        : ENTRY_ERRORS[model.error];
  return (
    <Layout theme={theme} title="Connect a device">
      <h1>Connect a device</h1>
      <p class="lk-muted">Enter the code shown on the device you want to sign in on.</p>
      {message !== undefined ? (
        <div class="lk-alert" role="alert" id="code-error">
          {e(message)}
        </div>
      ) : (
        ''
      )}
      <form method="post" action="/device" novalidate>
        <input type="hidden" name="csrf_token" value={model.csrfToken} />
        <div class="lk-field">
          <label for="user_code">Code</label>
          <input
            type="text"
            id="user_code"
            name="user_code"
            autocomplete="one-time-code"
            autocapitalize="characters"
            spellcheck="false"
            inputmode="text"
            maxlength="12"
            placeholder="XXXX-XXXX"
            required
            value={model.userCode ?? ''}
            aria-invalid={message !== undefined ? 'true' : undefined}
            aria-describedby={message !== undefined ? 'code-error' : undefined}
            autofocus
          />
        </div>
        <div class="lk-actions">
          <button type="submit" class="lk-button">
            Continue
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function DeviceDoneView({ theme, model }: { readonly theme: Theme; readonly model: DeviceDonePage }): JSX.Element {
  const heading = model.approved ? 'Device connected' : 'Request denied';
  return (
    <Layout theme={theme} title={heading}>
      <h1>{e(heading)}</h1>
      <p role="status">
        {e(model.approved ? `${model.clientName} can now access your account. Return to your device.` : `${model.clientName} was not given access. You can close this page.`)}
      </p>
    </Layout>
  );
}
