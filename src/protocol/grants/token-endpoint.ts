// The token endpoint: RFC 6749 §3.2. Dispatches by grant_type after authenticating the client.
import { authenticateClient, CLIENT_AUTHENTICATION_PARAMETERS } from '../client-authentication/authenticate-client.js';
import type { ProtocolDeps } from '../deps.js';
import { checkTokenRequestProof } from '../dpop/check-token-request-proof.js';
import { OAuthError } from '../errors.js';
import { Params } from '../params.js';
import type { TokenResponse } from '../tokens/token-issuer.js';
import type { TokenGrant } from './token-grant.js';

export interface TokenHttpInput {
  readonly body: unknown;
  readonly authorization?: string;
  readonly dpop?: string;
  readonly endpointUrl: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

export type TokenEndpoint = (input: TokenHttpInput) => Promise<TokenResponse>;

export function createTokenEndpoint(grants: readonly TokenGrant[], deps: ProtocolDeps): TokenEndpoint {
  const byType = new Map(grants.map((grant) => [grant.grantType, grant]));
  return async (input) => {
    const params = Params.from(input.body); // repeated parameters → invalid_request
    const grantType = params.required('grant_type');
    const grant = byType.get(grantType);
    if (grant === undefined) throw new OAuthError('unsupported_grant_type', 'the grant_type is not supported');
    const client = await authenticateClient({ authorization: input.authorization, params, endpointUrl: input.endpointUrl }, deps);
    if (!client.metadata.grant_types.includes(grantType)) {
      throw new OAuthError('unauthorized_client', 'the client is not allowed to use this grant_type');
    }
    const dpopJkt = await checkTokenRequestProof({ proof: input.dpop, client, endpointUrl: input.endpointUrl }, deps); // RFC 9449 §5
    return grant.exchange(
      { client, params: params.without([...CLIENT_AUTHENTICATION_PARAMETERS]).only(grant.parameters), dpop: input.dpop, endpointUrl: input.endpointUrl, dpopJkt, ...(input.ip !== undefined && { ip: input.ip }), ...(input.userAgent !== undefined && { userAgent: input.userAgent }) },
      deps,
    );
  };
}
