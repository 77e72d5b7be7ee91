// Dynamic client registration: RFC 7591 §3 (POST /register). Off, token-guarded or open per LATCHKEY_REGISTRATION.
import { createClient, type ClientRegistryDeps } from '../clients/client-registry.js';
import { toClientInformation, type ClientInformationResponse } from '../clients/client-information.js';
import { endpointUrl, ENDPOINT_PATHS } from '../discovery/server-metadata.js';
import type { AuditContext } from '../audit/audit-event.js';
import { OAuthError } from '../errors.js';
import { verifyInitialAccessToken } from './initial-access-tokens.js';

export interface RegistrationRequest {
  /** The parsed JSON body. */
  readonly body: unknown;
  readonly authorization?: string;
  /** Where the request came from (the audit log's from-where). */
  readonly context?: Omit<AuditContext, 'actor'>;
}

/** RFC 7592 §3: where a dynamically registered client manages itself. */
export const registrationClientUri = (issuer: string, clientId: string): string =>
  `${endpointUrl(issuer, ENDPOINT_PATHS.registration)}/${encodeURIComponent(clientId)}`;

/** RFC 7591 §2.3 / §3.2.2: software statements are not accepted by this server (yet); say so clearly. */
export function refuseSoftwareStatement(body: unknown): void {
  const statement = (body as { software_statement?: unknown } | null)?.software_statement;
  if (statement === undefined || statement === null) return;
  if (typeof statement !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(statement)) {
    throw new OAuthError('invalid_software_statement', 'software_statement must be a signed JWT (RFC 7591 section 2.3)');
  }
  throw new OAuthError('unapproved_software_statement', 'this server does not accept software statements');
}

/**
 * Registers a client from its own metadata and returns the client information response (201).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export async function registerClient(request: RegistrationRequest, deps: ClientRegistryDeps): Promise<ClientInformationResponse> {
  const mode = deps.config.registration;
  if (mode === 'off') throw new OAuthError('not_found', 'dynamic registration is off');
  if (mode === 'token') await verifyInitialAccessToken(request.authorization, deps);
  refuseSoftwareStatement(request.body);
  const { client, clientSecret, registrationAccessToken } = await createClient({ metadata: request.body }, deps, { dynamic: true, context: { ...request.context, actor: 'registration' } });
  return toClientInformation(client, {
    ...(clientSecret !== undefined && { clientSecret }),
    ...(registrationAccessToken !== undefined && { registrationAccessToken }),
    registrationClientUri: registrationClientUri(deps.config.issuer, client.clientId),
  });
}
