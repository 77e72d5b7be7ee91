// Verifying client_id and redirect_uri before anything else (RFC 6749 §4.1.2.1, §3.1.2.3; OIDC Core §3.1.2.1;
// RFC 9126 §4 for request_uri). Until both are verified an error must not be redirected.
import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { hashSecret } from '../../lib/hash.js';
import type { Storage } from '../../storage/storage.js';
import type { Client } from '../clients/client.js';
import { invalidRequest, OAuthError, type AuthorizationErrorRedirect } from '../errors.js';
import { PUSHED_REQUEST_URI_PREFIX, RESPONSE_MODES, type ResponseMode } from './authorization-request.js';

export type RawParams = Readonly<Record<string, unknown>>;

export interface VerifiedTarget {
  readonly client: Client;
  readonly redirectUri: string;
  readonly redirectUriProvided: boolean;
  /** Where errors go from here on (RFC 6749 §4.1.2.1). */
  readonly errorTarget: AuthorizationErrorRedirect;
  /** The parameters to validate: the request's own, or the pushed ones (RFC 9126 §4). */
  readonly params: RawParams;
  readonly pushed: boolean;
}

/** A parameter that must appear at most once; undefined when absent or empty (RFC 6749 §3.1). */
function single(params: RawParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidRequest(`parameter ${name} is repeated or malformed`);
  return value;
}

/** Only for the error target: a repeated or odd value is simply not echoed. */
function lenient(params: RawParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The response mode errors use: the requested one if valid, else the default of the response type (Multiple Response Types §2.1). */
function errorResponseMode(params: RawParams): ResponseMode {
  const requested = lenient(params, 'response_mode');
  if (requested !== undefined && (RESPONSE_MODES as readonly string[]).includes(requested)) return requested as ResponseMode;
  const types = (lenient(params, 'response_type') ?? '').split(' ');
  return types.includes('token') || types.includes('id_token') ? 'fragment' : 'query';
}

/** RFC 8252 §7.3: a loopback IP literal over http, whose port the native app picks at run time. */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d{1,5})?(\/[^?#]*)?(\?[^#]*)?$/;

/** Exact string match, except the port of a loopback redirect URI (RFC 8252 §7.3, RFC 9700 §4.1.3). */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const a = LOOPBACK.exec(registered);
  const b = LOOPBACK.exec(requested);
  return a !== null && b !== null && a[1] === b[1] && (a[3] ?? '') === (b[3] ?? '') && (a[4] ?? '') === (b[4] ?? '');
}

/**
 * The redirect URI the response goes to: one of the registered ones, compared as strings (RFC 9700 §4.1.3).
 * It may be omitted only when the client registered exactly one and the request is not OpenID Connect
 * (RFC 6749 §3.1.2.3; OIDC Core §3.1.2.1 makes it REQUIRED).
 */
export function resolveRedirectUri(client: Client, params: RawParams): { redirectUri: string; redirectUriProvided: boolean } {
  const registered = client.metadata.redirect_uris;
  const requested = single(params, 'redirect_uri');
  if (requested !== undefined) {
    if (!registered.some((uri) => redirectUriMatches(uri, requested))) throw invalidRequest('redirect_uri is not registered for this client');
    return { redirectUri: requested, redirectUriProvided: true };
  }
  const scope = params.scope;
  const openid = Array.isArray(scope) || (typeof scope === 'string' && scope.split(' ').includes('openid'));
  const only = registered.length === 1 ? registered[0] : undefined;
  if (only === undefined || openid) throw invalidRequest('redirect_uri is required');
  return { redirectUri: only, redirectUriProvided: false };
}

export interface ResolveDeps {
  readonly config: Pick<Config, 'issuer'>;
  readonly storage: Pick<Storage, 'clients' | 'pushedAuthorizationRequests'>;
  readonly clock: Clock;
}

/**
 * Finds the client and the redirect URI, using up a pushed request when request_uri names one. Throws errors that
 * carry no redirect: the caller shows them on Latchkey's own page.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export async function resolveClientAndRedirectUri(request: RawParams, deps: ResolveDeps): Promise<VerifiedTarget> {
  const clientId = single(request, 'client_id');
  if (clientId === undefined) throw invalidRequest('client_id is required');

  let params = request;
  let pushed = false;
  const requestUri = single(request, 'request_uri');
  if (requestUri?.startsWith(PUSHED_REQUEST_URI_PREFIX)) {
    // RFC 9126 §4: the pushed parameters replace the request's; the request_uri is single-use (§2.2).
    const record = await deps.storage.pushedAuthorizationRequests.consume(hashSecret(requestUri), deps.clock.now());
    if (record === undefined) throw new OAuthError('invalid_request_uri', 'the request_uri is unknown, expired or already used');
    if (record.clientId !== clientId) throw new OAuthError('invalid_request_uri', 'the request_uri belongs to another client');
    params = { ...record.params, client_id: clientId, request_uri: requestUri };
    pushed = true;
  }

  const client = await deps.storage.clients.find(clientId);
  if (client === undefined) throw invalidRequest('the client is not registered');
  const { redirectUri, redirectUriProvided } = resolveRedirectUri(client, params);
  const state = lenient(params, 'state');
  return {
    client,
    redirectUri,
    redirectUriProvided,
    errorTarget: { redirectUri, responseMode: errorResponseMode(params), ...(state !== undefined && { state }), issuer: deps.config.issuer },
    params,
    pushed,
  };
}
