// What each of Latchkey's pages shows, as data: the interaction decides, src/ui/ renders (OIDC Core §3.1.2.3-§3.1.2.4).
import type { AuthorizationResponse } from '../protocol/authorization/authorization-request.js';

/** The client as a person sees it on the pages (RFC 7591 §2 client_name, logo_uri, client_uri, policy_uri, tos_uri). */
export interface ClientDisplay {
  readonly name: string;
  readonly logoUri?: string;
  readonly clientUri?: string;
  readonly policyUri?: string;
  readonly tosUri?: string;
}

/** What every page of one interaction shares. */
export interface InteractionContext {
  readonly interactionId: string;
  readonly csrfToken: string;
  readonly client: ClientDisplay;
  /** Where the flow ends: the pages' CSP must let forms (and the redirects after them) go there. */
  readonly redirectUri: string;
  /** OIDC Core §3.1.2.1 ui_locales, in order of preference. */
  readonly uiLocales: readonly string[];
}

export interface AccountDisplay {
  readonly username: string;
  readonly name?: string;
  readonly email?: string;
}

export interface LoginPage {
  readonly page: 'login';
  readonly context: InteractionContext;
  /** Pre-filled: the login_hint, or what was typed before a failure. */
  readonly identifier?: string;
  /** One message for unknown user, wrong password and disabled account: nothing tells which. */
  readonly error?: 'invalid_credentials' | 'missing_fields' | 'throttled';
  readonly retryAfterSeconds?: number;
}

export interface AccountChooserPage {
  readonly page: 'select_account';
  readonly context: InteractionContext;
  readonly account: AccountDisplay;
}

export interface ConsentPage {
  readonly page: 'consent';
  readonly context: InteractionContext;
  readonly account: AccountDisplay;
  /** Every scope requested, in request order. */
  readonly scopes: readonly string[];
  /** The scopes not allowed before (the page says which are new). */
  readonly newScopes: readonly string[];
}

export interface ErrorPage {
  readonly page: 'error';
  readonly code: string;
  readonly description?: string;
}

/** OAuth 2.0 Form Post Response Mode §2: the response as an auto-submitting form. */
export interface FormPostPage {
  readonly page: 'form_post';
  readonly response: AuthorizationResponse;
}

/** RFC 8628 §3.3: where the person types the user code shown on the device. */
export interface DeviceEntryPage {
  readonly page: 'device_entry';
  /** Double-submit token: the same value is in a cookie (OWASP CSRF Prevention). */
  readonly csrfToken: string;
  /** Pre-filled from verification_uri_complete (§3.3.1), or what was typed before a failure. */
  readonly userCode?: string;
  readonly error?: 'invalid_code' | 'missing_code' | 'throttled';
  readonly retryAfterSeconds?: number;
}

/** RFC 8628 §3.3: the outcome, telling the person to return to the device. */
export interface DeviceDonePage {
  readonly page: 'device_done';
  readonly approved: boolean;
  readonly clientName: string;
}

export type PageModel = LoginPage | AccountChooserPage | ConsentPage | ErrorPage | FormPostPage | DeviceEntryPage | DeviceDonePage;
