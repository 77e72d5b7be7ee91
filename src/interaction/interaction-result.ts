// What a step of the interaction answers, as data for the HTTP layer (pages, redirects, cookies).
import type { Config } from '../config/config.js';
import type { Clock } from '../lib/clock.js';
import type { Random } from '../lib/random.js';
import type { AuthorizationResponse } from '../protocol/authorization/authorization-request.js';
import type { KeyRing } from '../protocol/keys/key-ring.js';
import type { TokenIssuer } from '../protocol/tokens/token-issuer.js';
import type { Storage } from '../storage/storage.js';
import type { PageModel } from './pages.js';
import type { SessionCookie } from './sessions.js';

export interface InteractionDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  /** The implicit grant's tokens (RFC 6749 §4.2.2) are issued when the interaction ends. */
  readonly tokens: TokenIssuer;
  readonly keys: KeyRing;
}

export type InteractionResult =
  /** Show a page (a login failure is a page too, with its status). */
  | { readonly kind: 'page'; readonly page: PageModel; readonly status: number; readonly retryAfterSeconds?: number }
  /** Go (303) to the interaction's page, which shows the next step; set the session cookie when a login started one. */
  | { readonly kind: 'continue'; readonly interactionId: string; readonly session?: SessionCookie }
  /** Answer the client: the authorization response. */
  | { readonly kind: 'respond'; readonly response: AuthorizationResponse };

/** The input every step gets from the browser. */
export interface InteractionInput {
  readonly interactionId: string;
  /** The secret of the cookie that binds the interaction to this browser. */
  readonly bindingSecret: string | undefined;
  readonly sessionSecret: string | undefined;
}
