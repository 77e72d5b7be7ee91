// The authorization request and response as the protocol sees them: RFC 6749 §4.1.1-§4.1.2, OIDC Core §3.1.2.1.
export type { AuthorizationRequest, ImplicitResponseType, Prompt, ResponseMode } from '../../storage/records/authorization-request.js';

/** RFC 9126 §2.2: the URN prefix of the request_uri values the PAR endpoint hands out. */
export const PUSHED_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export const PROMPTS = ['none', 'login', 'consent', 'select_account'] as const;

/** Scopes Latchkey knows: OIDC Core §5.4 and §11. A client may register others in its `scope` metadata. */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;

/** What the authorization endpoint sends back to the client (success or error), before it is encoded per response mode. */
export interface AuthorizationResponse {
  readonly redirectUri: string;
  readonly responseMode: 'query' | 'fragment' | 'form_post';
  readonly params: Readonly<Record<string, string>>;
}
