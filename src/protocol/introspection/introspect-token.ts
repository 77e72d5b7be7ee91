// Token introspection: RFC 7662 §2. Client-authenticated; the answer for anything the caller may not see, or that
// is not live, is exactly {"active": false} (§2.2).
import type { Client } from '../clients/client.js';
import { isPublicClient } from '../clients/client.js';
import { authenticateClient } from '../client-authentication/authenticate-client.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidClient } from '../errors.js';
import { Params } from '../params.js';
import { findResource } from '../resource-indicators/resolve-resources.js';
import { formatScope } from '../scope.js';
import { findToken, type FoundToken } from '../tokens/find-token.js';
import { INTROSPECTION_JWT_MEDIA_TYPE, signIntrospectionResponse } from './sign-introspection-response.js';
import { toEpochSeconds } from '../../lib/clock.js';

export interface IntrospectionHttpInput {
  readonly body: unknown;
  readonly authorization?: string;
  readonly endpointUrl: string;
  /** The Accept header: `application/token-introspection+jwt` asks for a signed answer (RFC 9701 §4). */
  readonly accept?: string;
}

/** RFC 7662 §2.2 */
export type IntrospectionResponse = { readonly active: false } | ({ readonly active: true } & Readonly<Record<string, unknown>>);

/** Plain JSON (RFC 7662 §2.2), or a signed JWT when the caller asked for one (RFC 9701 §5). */
export type IntrospectionResult = { readonly json: IntrospectionResponse } | { readonly jwt: string };

export type IntrospectionEndpoint = (input: IntrospectionHttpInput) => Promise<IntrospectionResult>;

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * Who may learn about a token (RFC 7662 §4: the server decides, and must not help token scanning):
 * the client it was issued to, or, for an access token, a client that a configured resource names in its `clients`
 * (the resource server's own credentials) when the token's `aud` includes that resource. Refresh tokens only
 * ever concern the client holding them.
 */
export function mayIntrospect(caller: Client, found: FoundToken, deps: Pick<ProtocolDeps, 'config'>): boolean {
  if (found.record.clientId === caller.clientId) return true;
  if (found.kind !== 'access_token') return false;
  return found.record.audience.some((uri) => findResource(deps.config, uri)?.clients?.includes(caller.clientId) === true);
}

function describeToken(found: FoundToken, now: number, deps: Pick<ProtocolDeps, 'config'>): IntrospectionResponse {
  const { record } = found;
  if (record.revokedAt !== undefined || record.expiresAt <= now) return INACTIVE;
  if (found.kind === 'refresh_token' && found.record.rotatedAt !== undefined) return INACTIVE;
  const common = {
    active: true as const,
    ...(record.scope.length > 0 && { scope: formatScope(record.scope) }),
    client_id: record.clientId,
    exp: toEpochSeconds(record.expiresAt),
    iat: toEpochSeconds(record.issuedAt),
    nbf: toEpochSeconds(record.issuedAt),
    sub: record.subject ?? record.clientId, // RFC 9068 §2.2: client_credentials tokens are about the client
    iss: deps.config.issuer,
  };
  if (found.kind === 'refresh_token') return common;
  const token = found.record;
  return {
    ...common,
    token_type: token.dpopJkt === undefined ? 'Bearer' : 'DPoP',
    aud: token.audience.length === 1 ? token.audience[0] : token.audience,
    ...(token.format === 'jwt' && { jti: token.id }), // an opaque token's id is its hash: not for the wire
    ...(token.dpopJkt !== undefined && { cnf: { jkt: token.dpopJkt } }), // RFC 9449 §6.2
    ...(token.act !== undefined && { act: token.act }), // RFC 8693 §4.1
  };
}

/** @see https://www.rfc-editor.org/rfc/rfc7662#section-2 */
export function createIntrospectionEndpoint(deps: ProtocolDeps): IntrospectionEndpoint {
  return async (input) => {
    const params = Params.from(input.body);
    const caller = await authenticateClient({ authorization: input.authorization, params, endpointUrl: input.endpointUrl }, deps);
    // §2.1: the endpoint requires authorization; a public client has no credentials to show.
    if (isPublicClient(caller)) throw invalidClient('introspection requires client authentication');
    const token = params.required('token');
    const hint = params.optional('token_type_hint');
    const found = await findToken(token, hint === 'refresh_token' || hint === 'access_token' ? hint : undefined, deps);
    const now = deps.clock.now();
    const response = found === undefined || !mayIntrospect(caller, found, deps) ? INACTIVE : describeToken(found, now, deps);
    if (input.accept?.includes(INTROSPECTION_JWT_MEDIA_TYPE) === true) {
      return { jwt: signIntrospectionResponse(response, caller.clientId, now, deps) };
    }
    return { json: response };
  };
}
