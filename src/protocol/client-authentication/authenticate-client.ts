// Client authentication at back-channel endpoints: RFC 6749 §2.3, OIDC Core §9, RFC 7523 §2.2.
import type { Client } from '../clients/client.js';
import { clientSecretMatches } from '../clients/client-secrets.js';
import { invalidClient, invalidRequest } from '../errors.js';
import type { Params } from '../params.js';
import { verifyClientAssertion, type ClientAssertionDeps } from './verify-client-assertion.js';

/** What client authentication reads: the clients, the clock, the master key (client_secret_jwt), the jwks_uri cache. */
export type ClientAuthenticationDeps = ClientAssertionDeps;

export interface ClientAuthenticationInput {
  /** The Authorization header, if any. */
  readonly authorization?: string;
  readonly params: Params;
  /** The absolute URL of the endpoint (an accepted `aud` for client assertions, RFC 7523 §3). */
  readonly endpointUrl: string;
}

/** The parameters client authentication consumes; endpoints drop them before their own processing. */
export const CLIENT_AUTHENTICATION_PARAMETERS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function parseBasic(header: string): { clientId: string; secret: string } {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw invalidClient('malformed Basic credentials');
  try {
    const unescape = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

/**
 * Authenticates the client of a back-channel request with exactly one method, and returns it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export async function authenticateClient(input: ClientAuthenticationInput, deps: ClientAuthenticationDeps): Promise<Client> {
  const { params } = input;
  const basic = input.authorization !== undefined && /^basic /i.test(input.authorization);
  const methods = [basic, params.has('client_secret'), params.has('client_assertion')].filter(Boolean).length;
  if (methods > 1) throw invalidRequest('more than one client authentication method was used'); // RFC 6749 §2.3

  if (basic) {
    const { clientId, secret } = parseBasic(input.authorization as string);
    if (params.has('client_id') && params.optional('client_id') !== clientId) throw invalidRequest('client_id does not match the Authorization header');
    return authenticateWithSecret(clientId, secret, 'client_secret_basic', deps);
  }
  if (params.has('client_secret')) {
    return authenticateWithSecret(params.required('client_id'), params.required('client_secret'), 'client_secret_post', deps);
  }
  if (params.has('client_assertion')) return verifyClientAssertion(params, input.endpointUrl, deps);
  const clientId = params.optional('client_id');
  if (clientId === undefined) throw invalidClient('client authentication is required');
  const client = await deps.storage.clients.find(clientId);
  if (client === undefined || client.metadata.token_endpoint_auth_method !== 'none') throw invalidClient('client authentication failed');
  return client;
}

async function authenticateWithSecret(clientId: string, secret: string, method: 'client_secret_basic' | 'client_secret_post', deps: ClientAuthenticationDeps): Promise<Client> {
  const client = await deps.storage.clients.find(clientId);
  // One answer for unknown client, wrong secret and wrong method: nothing to learn by probing.
  if (client === undefined || client.metadata.token_endpoint_auth_method !== method || !clientSecretMatches(client, secret, deps.clock.now())) {
    throw invalidClient('client authentication failed');
  }
  return client;
}
