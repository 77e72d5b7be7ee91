// What the token, introspection and revocation endpoints add to the metadata: RFC 8414 §2.
import type { Config } from '../../config/config.js';
import { introspectionSigningAlg } from '../introspection/sign-introspection-response.js';
import { endpointUrl, ENDPOINT_PATHS, type ServerMetadata } from './server-metadata.js';

/**
 * The endpoints and the client authentication methods each accepts. Lists merge with other contributions, so the
 * JWT assertion methods (RFC 7523) are added where they are implemented.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function tokenMetadata(config: Config, grantTypes: readonly string[]): ServerMetadata {
  return {
    token_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.token),
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    grant_types_supported: grantTypes,
    introspection_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.introspection),
    // RFC 7662 §2.1: introspection needs real client authentication, so not `none`.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_signing_alg_values_supported: [introspectionSigningAlg(config)], // RFC 9701 §7
    revocation_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.revocation),
    // RFC 7009 §2.1: public clients may revoke their tokens.
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
  };
}
