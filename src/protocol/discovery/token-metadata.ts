// What the token, introspection and revocation endpoints add to the metadata: RFC 8414 §2.
import type { Config } from '../../config/config.js';
import { ASSERTION_SIGNING_ALGS, TOKEN_ENDPOINT_AUTH_METHODS } from '../clients/validate-client-metadata.js';
import { introspectionSigningAlg } from '../introspection/sign-introspection-response.js';
import { endpointUrl, ENDPOINT_PATHS, type ServerMetadata } from './server-metadata.js';

/**
 * The endpoints, and the client authentication each accepts: every method the token endpoint takes (its own list
 * comes from client authentication's contribution), except that introspection needs real credentials.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function tokenMetadata(config: Config, grantTypes: readonly string[]): ServerMetadata {
  const assertionAlgs = [...ASSERTION_SIGNING_ALGS.private_key_jwt, ...ASSERTION_SIGNING_ALGS.client_secret_jwt];
  return {
    token_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.token),
    grant_types_supported: grantTypes,
    introspection_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.introspection),
    // RFC 7662 §2.1: the caller must authenticate, so not `none`.
    introspection_endpoint_auth_methods_supported: TOKEN_ENDPOINT_AUTH_METHODS.filter((method) => method !== 'none'),
    introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    introspection_signing_alg_values_supported: [introspectionSigningAlg(config)], // RFC 9701 §7
    revocation_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.revocation),
    // RFC 7009 §2.1: public clients may revoke their own tokens.
    revocation_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
  };
}
