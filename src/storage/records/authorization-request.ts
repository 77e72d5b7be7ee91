// A validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), kept while the person signs in and consents.

export type ResponseMode = 'query' | 'fragment' | 'form_post';
export type Prompt = 'none' | 'login' | 'consent' | 'select_account';
/** RFC 6749 §4.2.1 and OAuth 2.0 Multiple Response Types §3-§5: the implicit grant's response types (legacy, opt-in). */
export type ImplicitResponseType = 'token' | 'id_token token' | 'id_token';

export interface AuthorizationRequest {
  readonly clientId: string;
  /** The redirect URI the response goes to: exactly one of the registered ones. */
  readonly redirectUri: string;
  /** RFC 6749 §4.1.3: when the request carried redirect_uri, the token request must repeat it. */
  readonly redirectUriProvided: boolean;
  readonly responseType: 'code' | ImplicitResponseType;
  readonly responseMode: ResponseMode;
  readonly scope: readonly string[];
  /** RFC 8707 §2: the resources the grant is for (the audience of its tokens); absent means none named. */
  readonly resources?: readonly string[];
  /** Echoed byte-exact (RFC 6749 §4.1.2). */
  readonly state?: string;
  readonly nonce?: string;
  /** RFC 7636 §4.3, S256 only. */
  readonly codeChallenge?: string;
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to (dpop_jkt, or the PAR request's proof). */
  readonly dpopJkt?: string;
  readonly prompt: readonly Prompt[];
  /** Seconds (OIDC Core §3.1.2.1), from the request or the client's default_max_age. */
  readonly maxAge?: number;
  readonly loginHint?: string;
  readonly uiLocales: readonly string[];
  readonly acrValues: readonly string[];
  /** RFC 8628 §3.3: set when the person is approving a device; the interaction then decides that, not a code. */
  readonly device?: { readonly deviceCodeHash: string };
}

/** A pending interaction: the request, and what has happened on Latchkey's pages so far. */
export interface InteractionRecord {
  /** Random, in the page URLs. */
  readonly id: string;
  /** SHA-256 of a secret in a cookie scoped to this interaction's path: ties it to one browser. */
  readonly bindingHash: string;
  /** Carried in every form of the interaction and compared on POST (synchronizer token). */
  readonly csrfToken: string;
  readonly request: AuthorizationRequest;
  /** The session a login in this interaction created (prompt=login and max_age are then satisfied). */
  readonly sessionId?: string;
  /** The person confirmed the account on the chooser (prompt=select_account). */
  readonly accountConfirmed: boolean;
  /** The person asked to use another account: a login is needed even with a session. */
  readonly loginRequested: boolean;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly consumedAt?: number;
}

/** RFC 9126 §2.2: a pushed request, found by the hash of its request_uri. */
export interface PushedAuthorizationRequestRecord {
  readonly hash: string;
  readonly clientId: string;
  /** The pushed parameters, without client authentication. */
  readonly params: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly expiresAt: number;
}
