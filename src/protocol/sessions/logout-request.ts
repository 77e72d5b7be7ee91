// The RP-Initiated Logout request: OpenID Connect RP-Initiated Logout 1.0 §2 (parameters), §3 (post_logout_redirect_uri
// only when registered, compared exactly), §4 (id_token_hint verified by the OP; an expired one is still a hint).
import type { Config } from '../../config/config.js';
import type { Storage } from '../../storage/storage.js';
import type { Client } from '../clients/client.js';
import { invalidRequest } from '../errors.js';
import type { KeyRing } from '../keys/key-ring.js';
import { verifyOwnJwt } from '../keys/verify-jwt.js';
import { Params } from '../params.js';

export interface IdTokenHint {
  readonly subject: string;
  readonly sessionId?: string;
  readonly clientId: string;
}

export interface LogoutRequest {
  readonly idTokenHint?: IdTokenHint;
  readonly client?: Client;
  /** Set only when it is one of the client's registered post_logout_redirect_uris, byte for byte. */
  readonly postLogoutRedirectUri?: string;
  readonly state?: string;
  readonly logoutHint?: string;
  readonly uiLocales: readonly string[];
}

export interface LogoutRequestDeps {
  readonly config: Pick<Config, 'issuer'>;
  readonly storage: Storage;
  readonly keys: KeyRing;
}

/** Verifies an id_token_hint we issued: our signature and issuer. Its exp is not checked (§2: an expired hint is fine). */
async function verifyIdTokenHint(token: string, deps: LogoutRequestDeps): Promise<IdTokenHint> {
  const claims = await verifyOwnJwt(token, deps.keys, 'JWT');
  if (claims === undefined || claims.iss !== deps.config.issuer || typeof claims.sub !== 'string') throw invalidRequest('The id_token_hint is not an ID Token this server issued.');
  const aud = Array.isArray(claims.aud) && claims.aud.length === 1 ? claims.aud[0] : claims.aud;
  const clientId = typeof claims.azp === 'string' ? claims.azp : aud;
  if (typeof clientId !== 'string') throw invalidRequest('The id_token_hint is not an ID Token this server issued.');
  return { subject: claims.sub, clientId, ...(typeof claims.sid === 'string' && { sessionId: claims.sid }) };
}

/** @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout */
export async function validateLogoutRequest(source: unknown, deps: LogoutRequestDeps): Promise<LogoutRequest> {
  const params = Params.from(source);
  const hintToken = params.optional('id_token_hint');
  const idTokenHint = hintToken === undefined ? undefined : await verifyIdTokenHint(hintToken, deps);
  const clientIdParam = params.optional('client_id');
  if (clientIdParam !== undefined && idTokenHint !== undefined && clientIdParam !== idTokenHint.clientId) {
    throw invalidRequest('client_id does not match the id_token_hint.'); // §2: both name the same client
  }
  const clientId = clientIdParam ?? idTokenHint?.clientId;
  const client = clientId === undefined ? undefined : await deps.storage.clients.find(clientId);
  if (clientId !== undefined && client === undefined) throw invalidRequest('The application that sent you here is not known.');

  const requested = params.optional('post_logout_redirect_uri');
  // §3: exact match against the registered values; anything else is simply not followed (the signed-out page is shown).
  const registered = requested !== undefined && client?.metadata.post_logout_redirect_uris?.includes(requested) === true;
  const state = params.optional('state');
  const logoutHint = params.optional('logout_hint');
  return {
    ...(idTokenHint !== undefined && { idTokenHint }),
    ...(client !== undefined && { client }),
    ...(registered && { postLogoutRedirectUri: requested }),
    ...(state !== undefined && { state }),
    ...(logoutHint !== undefined && { logoutHint }),
    uiLocales: (params.optional('ui_locales') ?? '').split(' ').filter((tag) => tag !== ''),
  };
}

/** Where the browser goes after logout: the verified post_logout_redirect_uri with state (§3), or nowhere. */
export function postLogoutLocation(request: LogoutRequest): string | undefined {
  if (request.postLogoutRedirectUri === undefined) return undefined;
  const url = new URL(request.postLogoutRedirectUri);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  return url.href;
}
