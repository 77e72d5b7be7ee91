// What the authorization endpoint, PAR and UserInfo add to discovery: RFC 8414 §2, RFC 9126 §5, RFC 9207 §3,
// OIDC Discovery §3 (Prompt Create §4.2 for prompt_values_supported).
import type { Config } from '../../config/config.js';
import { endpointUrl, ENDPOINT_PATHS, type ServerMetadata } from '../discovery/server-metadata.js';
import { SUPPORTED_CLAIMS } from '../users/standard-claims.js';
import { PROMPTS, RESPONSE_MODES, STANDARD_SCOPES } from './authorization-request.js';

export function authorizationMetadata(config: Pick<Config, 'issuer' | 'authorization' | 'legacyGrants'>): ServerMetadata {
  const implicit = config.legacyGrants.implicit; // RFC 9700 §2.1.2: listed only when the operator turned it on
  const at = (path: string): string => endpointUrl(config.issuer, path);
  return {
    authorization_endpoint: at(ENDPOINT_PATHS.authorization),
    response_types_supported: ['code', ...(implicit ? ['token', 'id_token token', 'id_token'] : [])],
    ...(implicit && { grant_types_supported: ['implicit'] }),
    response_modes_supported: [...RESPONSE_MODES],
    code_challenge_methods_supported: ['S256'], // RFC 9700 §2.1.1: plain is refused
    scopes_supported: [...STANDARD_SCOPES],
    claims_supported: [...SUPPORTED_CLAIMS, 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'at_hash', 'sid'],
    claim_types_supported: ['normal'],
    claims_parameter_supported: false, // the claims parameter is accepted and ignored
    request_parameter_supported: false,
    request_uri_parameter_supported: false, // only PAR request_uri values (OIDC Discovery §3 defaults this to true)
    prompt_values_supported: [...PROMPTS],
    acr_values_supported: ['1'],
    authorization_response_iss_parameter_supported: true, // RFC 9207 §3
    pushed_authorization_request_endpoint: at(ENDPOINT_PATHS.pushedAuthorizationRequest),
    require_pushed_authorization_requests: config.authorization.requirePushedAuthorizationRequests,
    userinfo_endpoint: at(ENDPOINT_PATHS.userinfo),
  };
}
