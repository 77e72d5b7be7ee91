// Token revocation: RFC 7009 §2. A client revokes its own tokens; revoking a refresh token revokes its grant, with
// every access token issued under it (§2.1 SHOULD).
import { authenticateClient } from '../client-authentication/authenticate-client.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidRequest, OAuthError } from '../errors.js';
import { Params } from '../params.js';
import { findToken } from '../tokens/find-token.js';

export interface RevocationHttpInput {
  readonly body: unknown;
  readonly authorization?: string;
  readonly endpointUrl: string;
}

export type RevocationEndpoint = (input: RevocationHttpInput) => Promise<void>;

const HINTS = new Set(['access_token', 'refresh_token']);

/** @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
export function createRevocationEndpoint(deps: ProtocolDeps): RevocationEndpoint {
  return async (input) => {
    const params = Params.from(input.body);
    // Public clients may revoke too (§2.1: they identify themselves with client_id).
    const client = await authenticateClient({ authorization: input.authorization, params, endpointUrl: input.endpointUrl }, deps);
    const token = params.required('token');
    const hint = params.optional('token_type_hint');
    // §2.2.1: a type this server does not issue, and so cannot revoke.
    if (hint !== undefined && !HINTS.has(hint)) throw new OAuthError('unsupported_token_type', 'only access_token and refresh_token can be revoked');
    const found = await findToken(token, hint as 'access_token' | 'refresh_token' | undefined, deps);
    if (found === undefined) return; // §2.2: an invalid token is not an error; there is nothing left to revoke
    // §2.1: the server verifies the token was issued to the client asking, and refuses otherwise.
    if (found.record.clientId !== client.clientId) throw invalidRequest('the token was not issued to this client');
    const now = deps.clock.now();
    if (found.kind === 'refresh_token') await deps.storage.grants.revoke(found.record.grantId, now);
    else await deps.storage.accessTokens.revoke(found.record.id, now);
  };
}
