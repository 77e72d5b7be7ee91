// Client credentials grant: RFC 6749 §4.4. Confidential clients only, scopes within the client's registered scope,
// no refresh token (§4.4.3), the client itself as `sub` (RFC 9068 §2.2).
import { isPublicClient } from '../clients/client.js';
import { invalidScope, OAuthError } from '../errors.js';
import { selectTokenResources } from '../resource-indicators/select-token-resources.js';
import { parseScope } from '../scope.js';
import { tokenResponse } from '../tokens/token-response.js';
import { issuanceAudit, type TokenGrant } from './token-grant.js';

export const clientCredentialsGrant: TokenGrant = {
  grantType: 'client_credentials',
  parameters: new Set(['scope', 'resource']),

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2 */
  async exchange(request, deps) {
    const { client, params, dpopJkt } = request;
    if (isPublicClient(client)) throw new OAuthError('unauthorized_client', 'client_credentials is for confidential clients only');
    const allowed = parseScope(client.metadata.scope);
    const requested = params.optional('scope');
    // §3.3: an omitted scope means the pre-defined default, here everything the client is registered for.
    const scope = requested === undefined ? allowed : parseScope(requested);
    if (scope.some((item) => !allowed.includes(item))) throw invalidScope('the requested scope exceeds what the client is allowed');
    const resources = selectTokenResources(params.optional('resource'), [], deps.config);
    const issued = await deps.tokens.issue({ client, audit: issuanceAudit(request, 'client_credentials'), scope, resources, refreshToken: false, dpopJkt });
    return tokenResponse(issued);
  },
};
