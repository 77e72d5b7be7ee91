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

/** RP-Initiated Logout §2: "Do you want to sign out?" when the request cannot be tied to this browser's session. */
export interface LogoutConfirmPage {
  readonly page: 'logout_confirm';
  readonly csrfToken: string;
  readonly account: AccountDisplay;
  readonly clientName?: string;
  /** The validated request, carried to the confirmation POST. */
  readonly fields: Readonly<Record<string, string>>;
  /** The verified post_logout_redirect_uri: the CSP lets the form's redirect go there. */
  readonly redirectUri?: string;
}

/** After logout without a (registered) post_logout_redirect_uri, or the account page without a session. */
export interface SignedOutPage {
  readonly page: 'signed_out';
  readonly reason: 'logged_out' | 'not_signed_in' | 'stayed_signed_in';
  readonly clientName?: string;
}

export interface ConnectedApp {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  /** When it was first allowed, and last given tokens (epoch ms). */
  readonly grantedAt: number;
  readonly lastUsedAt?: number;
}

export interface SessionDisplay {
  readonly id: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly current: boolean;
}

/** The signed-in person's own page: profile, password, connected apps, sessions. */
export interface AccountPage {
  readonly page: 'account';
  readonly csrfToken: string;
  readonly account: AccountDisplay;
  readonly apps: readonly ConnectedApp[];
  readonly sessions: readonly SessionDisplay[];
  readonly notice?: 'app_revoked' | 'password_changed' | 'sessions_ended';
  readonly passwordError?: 'wrong_password' | 'weak_password' | 'mismatch';
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

export type PageModel =
  | LoginPage
  | AccountChooserPage
  | ConsentPage
  | ErrorPage
  | FormPostPage
  | LogoutConfirmPage
  | SignedOutPage
  | AccountPage
  | DeviceEntryPage
  | DeviceDonePage;
