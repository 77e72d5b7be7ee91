// Turns a page model into HTML and the Content-Security-Policy that fits it (CSP Level 3): scripts and styles only from
// Latchkey, forms only to Latchkey and the client's redirect URI, never framed.
import type { PageModel } from '../interaction/pages.js';
import { AccountView, LogoutConfirmView, SignedOutView } from './account-pages.js';
import { DeviceDoneView, DeviceEntryView } from './device-pages.js';
import { AccountChooserView, ConsentView, ErrorView, FormPostView, LoginView } from './pages.js';
import type { Theme } from './theme.js';

export interface RenderedPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

/** A CSP source for where a form may go: the origin of an http(s) URL, or the scheme of a private-use URI (RFC 8252 §7.1). */
function sourceOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

function originOf(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export function contentSecurityPolicy(model: PageModel, theme: Theme): string {
  const redirectUri =
    model.page === 'form_post' ? model.response.redirectUri
    : model.page === 'logout_confirm' ? model.redirectUri
    : 'context' in model ? model.context.redirectUri
    : undefined;
  // Chrome applies form-action to the redirects that follow a form submission, so the client's redirect URI must be allowed.
  const formTargets = [...new Set(["'self'", ...(redirectUri === undefined ? [] : [sourceOf(redirectUri)].filter((s) => s !== undefined))])];
  const clientLogo = 'context' in model ? model.context.client.logoUri : undefined;
  const images = [...new Set(["'self'", originOf(theme.logoUrl), originOf(clientLogo)].filter((s) => s !== undefined))];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images.join(' ')}`,
    `form-action ${formTargets.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function renderPage(model: PageModel, theme: Theme): RenderedPage {
  let element: JSX.Element;
  switch (model.page) {
    case 'login':
      element = LoginView({ theme, model });
      break;
    case 'select_account':
      element = AccountChooserView({ theme, model });
      break;
    case 'consent':
      element = ConsentView({ theme, model });
      break;
    case 'error':
      element = ErrorView({ theme, model });
      break;
    case 'form_post':
      element = FormPostView({ theme, model });
      break;
    case 'logout_confirm':
      element = LogoutConfirmView({ theme, model });
      break;
    case 'signed_out':
      element = SignedOutView({ theme, model });
      break;
    case 'account':
      element = AccountView({ theme, model });
      break;
    case 'device_entry':
      element = DeviceEntryView({ theme, model });
      break;
    case 'device_done':
      element = DeviceDoneView({ theme, model });
      break;
  }
  return { html: element as string, contentSecurityPolicy: contentSecurityPolicy(model, theme) };
}
