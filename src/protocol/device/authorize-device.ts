// The device authorization endpoint: RFC 8628 §3.1-§3.2. The client (authenticated, or public with client_id) gets a
// device code to poll with and a user code for the person, who goes to the verification URI.
import type { Config } from '../../config/config.js';
import { hashSecret } from '../../lib/hash.js';
import { allowedScopes } from '../authorization/validate-authorization-request.js';
import { authenticateClient, CLIENT_AUTHENTICATION_PARAMETERS } from '../client-authentication/authenticate-client.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidScope, OAuthError } from '../errors.js';
import { Params } from '../params.js';
import { parseScope } from '../scope.js';
import { formatUserCode, generateUserCode } from './user-code.js';

export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

export const DEVICE_FLOW = {
  expiresInSeconds: 600, // RFC 8628 §3.2: the lifetime of the codes; ten minutes, as in the RFC's example
  intervalSeconds: 5, // RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default"
  slowDownSeconds: 5, // RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests"
} as const;

/** Where the person enters the code, relative to the issuer. */
export const VERIFICATION_PATH = '/device';

export interface DeviceAuthorizationInput {
  readonly body: unknown;
  readonly authorization?: string;
  readonly endpointUrl: string;
}

export interface DeviceAuthorizationResponse {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

export type DeviceAuthorizationEndpoint = (input: DeviceAuthorizationInput) => Promise<DeviceAuthorizationResponse>;

export const verificationUri = (config: Pick<Config, 'issuer'>): string => `${config.issuer}${VERIFICATION_PATH}`;

/** @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2 */
export function createDeviceAuthorizationEndpoint(deps: ProtocolDeps): DeviceAuthorizationEndpoint {
  return async (input) => {
    const params = Params.from(input.body);
    const client = await authenticateClient({ authorization: input.authorization, params, endpointUrl: input.endpointUrl }, deps);
    if (!client.metadata.grant_types.includes(DEVICE_CODE_GRANT_TYPE)) {
      throw new OAuthError('unauthorized_client', 'the client is not allowed to use the device authorization grant');
    }
    const requested = params.without([...CLIENT_AUTHENTICATION_PARAMETERS]).only(new Set(['scope'])).optional('scope');
    const allowed = allowedScopes(client);
    const scope = requested === undefined ? [...allowed] : parseScope(requested);
    if (scope.some((item) => !allowed.includes(item))) throw invalidScope('the client may not request one or more of these scopes');

    const now = deps.clock.now();
    const deviceCode = deps.random.token(); // 256 bits, stored only as a hash
    const userCode = generateUserCode(deps.random);
    await deps.storage.deviceCodes.save({
      deviceCodeHash: hashSecret(deviceCode),
      userCodeHash: hashSecret(userCode),
      clientId: client.clientId,
      scope,
      status: 'pending',
      intervalSeconds: DEVICE_FLOW.intervalSeconds,
      createdAt: now,
      expiresAt: now + DEVICE_FLOW.expiresInSeconds * 1000,
    });
    const shown = formatUserCode(userCode);
    const uri = verificationUri(deps.config);
    return {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: uri,
      verification_uri_complete: `${uri}?user_code=${encodeURIComponent(shown)}`,
      expires_in: DEVICE_FLOW.expiresInSeconds,
      interval: DEVICE_FLOW.intervalSeconds,
    };
  };
}
