// Dynamic client management: RFC 7592 §2 (GET, PUT, DELETE /register/:client_id with the registration access token).
import { constantTimeEqual, hashSecret } from '../../lib/hash.js';
import type { Client } from '../clients/client.js';
import { toClientInformation, type ClientInformationResponse } from '../clients/client-information.js';
import { clientSecretMatches } from '../clients/client-secrets.js';
import type { AuditContext } from '../audit/audit-event.js';
import { deleteClient, updateClient, type ClientRegistryDeps } from '../clients/client-registry.js';
import { invalidClientMetadata, invalidRequest } from '../errors.js';
import { bearerToken, invalidToken } from './bearer-token.js';
import { refuseSoftwareStatement, registrationClientUri } from './register-client.js';

export interface ManagementRequest {
  readonly clientId: string;
  readonly authorization?: string;
  /** Where the request came from (the audit log's from-where). */
  readonly context?: Omit<AuditContext, 'actor'>;
}

/** Fields the server manages (RFC 7592 §2.2): the client may echo them; they are never taken from it. */
const SERVER_FIELDS = ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];

/**
 * The client the registration access token belongs to. RFC 7592 §2.1: an unknown client and a wrong token both
 * answer 401, so the endpoint says nothing about which client ids exist.
 */
async function authorize(request: ManagementRequest, deps: Pick<ClientRegistryDeps, 'storage'>): Promise<{ client: Client; token: string }> {
  const token = bearerToken(request.authorization);
  if (token === undefined) throw invalidToken('the registration access token is required');
  const client = await deps.storage.clients.find(request.clientId);
  const expected = client?.registrationAccessTokenHash;
  const valid = expected !== undefined && constantTimeEqual(hashSecret(token), expected);
  if (client === undefined || !valid) throw invalidToken('the registration access token is invalid');
  return { client, token };
}

function respond(client: Client, token: string, issuer: string, clientSecret?: string): ClientInformationResponse {
  // §3: the response carries the registration access token; we keep only its hash, so we echo the one presented.
  return toClientInformation(client, { ...(clientSecret !== undefined && { clientSecret }), registrationAccessToken: token, registrationClientUri: registrationClientUri(issuer, client.clientId) });
}

/** @see https://www.rfc-editor.org/rfc/rfc7592#section-2.1 */
export async function readRegisteredClient(request: ManagementRequest, deps: ClientRegistryDeps): Promise<ClientInformationResponse> {
  const { client, token } = await authorize(request, deps);
  return respond(client, token, deps.config.issuer);
}

/** @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2 */
export async function updateRegisteredClient(request: ManagementRequest & { readonly body: unknown }, deps: ClientRegistryDeps): Promise<ClientInformationResponse> {
  const { client, token } = await authorize(request, deps);
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidClientMetadata('the client metadata must be a JSON object');
  const input = body as Record<string, unknown>;
  if (input.client_id !== client.clientId) throw invalidRequest('client_id must be sent and match the client being updated (RFC 7592 section 2.2)');
  // §2.2: a client_secret, if sent, must be the current one; a client never chooses its own secret.
  if (input.client_secret !== undefined && (typeof input.client_secret !== 'string' || !clientSecretMatches(client, input.client_secret, deps.clock.now()))) {
    throw invalidClientMetadata('client_secret: does not match the current secret, and a client cannot choose its own');
  }
  refuseSoftwareStatement(body);
  const metadata = Object.fromEntries(Object.entries(input).filter(([name]) => !SERVER_FIELDS.includes(name)));
  const changed = await updateClient(client.clientId, { metadata }, deps, { dynamic: true, context: { ...request.context, actor: `client:${client.clientId}` } });
  return respond(changed.client, token, deps.config.issuer, changed.clientSecret);
}

/** @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3 */
export async function deleteRegisteredClient(request: ManagementRequest, deps: ClientRegistryDeps): Promise<void> {
  const { client } = await authorize(request, deps);
  await deleteClient(client.clientId, deps, { context: { ...request.context, actor: `client:${client.clientId}` } }); // the registration access token goes with the client
}
