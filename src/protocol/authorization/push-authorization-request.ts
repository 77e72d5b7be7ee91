// The pushed authorization request endpoint: RFC 9126 §2. The client authenticates, the request is validated as
// /authorize would, and a single-use, short-lived request_uri stands for it.
import { hashSecret } from '../../lib/hash.js';
import { authenticateClient, CLIENT_AUTHENTICATION_PARAMETERS } from '../client-authentication/authenticate-client.js';
import type { ProtocolDeps } from '../deps.js';
import { checkPostProof } from '../dpop/check-token-request-proof.js';
import { invalidRequest } from '../errors.js';
import { Params } from '../params.js';
import { PUSHED_REQUEST_URI_PREFIX } from './authorization-request.js';
import { resolveRedirectUri } from './resolve-client-and-redirect-uri.js';
import { validateAuthorizationRequest } from './validate-authorization-request.js';

export interface PushInput {
  readonly body: unknown;
  readonly authorization?: string;
  /** The absolute URL of the PAR endpoint (an accepted `aud` for client assertions). */
  readonly endpointUrl: string;
  /** The DPoP header (RFC 9449 §10.1), when sent. */
  readonly dpop?: string;
}

/** RFC 9126 §2.2 */
export interface PushedAuthorizationResponse {
  readonly request_uri: string;
  readonly expires_in: number;
}

export type PushedAuthorizationRequestEndpoint = (input: PushInput) => Promise<PushedAuthorizationResponse>;

/** @see https://www.rfc-editor.org/rfc/rfc9126#section-2 */
export function createPushedAuthorizationRequestEndpoint(deps: ProtocolDeps): PushedAuthorizationRequestEndpoint {
  return async (input) => {
    const params = Params.from(input.body); // repeated parameters → invalid_request
    const client = await authenticateClient({ ...(input.authorization !== undefined && { authorization: input.authorization }), params, endpointUrl: input.endpointUrl }, deps);
    if (params.has('request_uri')) throw invalidRequest('request_uri cannot be pushed'); // §2.1
    const pushed: Record<string, string> = { ...params.without([...CLIENT_AUTHENTICATION_PARAMETERS]).toObject(), client_id: client.clientId };
    if (input.dpop !== undefined) {
      // RFC 9449 §10.1: a proof at PAR binds the code to its key, like dpop_jkt; both sent, they must agree.
      const jkt = await checkPostProof(input.dpop, input.endpointUrl, deps);
      if (pushed.dpop_jkt !== undefined && pushed.dpop_jkt !== jkt) throw invalidRequest('dpop_jkt does not match the key of the DPoP proof');
      pushed.dpop_jkt = jkt;
    }
    const { redirectUri, redirectUriProvided } = resolveRedirectUri(client, pushed);
    validateAuthorizationRequest({ client, redirectUri, redirectUriProvided, params: pushed }, deps.config);

    const now = deps.clock.now();
    const ttl = deps.config.authorization.pushedRequestTtlSeconds;
    const requestUri = `${PUSHED_REQUEST_URI_PREFIX}${deps.random.token()}`;
    await deps.storage.pushedAuthorizationRequests.save({ hash: hashSecret(requestUri), clientId: client.clientId, params: pushed, createdAt: now, expiresAt: now + ttl * 1000 });
    return { request_uri: requestUri, expires_in: ttl };
  };
}
