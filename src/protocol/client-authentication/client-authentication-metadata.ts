// Discovery contribution of client authentication: RFC 8414 §2 token_endpoint_auth_methods_supported and
// token_endpoint_auth_signing_alg_values_supported (OIDC Discovery §3).
import { ASSERTION_SIGNING_ALGS, TOKEN_ENDPOINT_AUTH_METHODS } from '../clients/validate-client-metadata.js';
import type { ServerMetadata } from '../discovery/server-metadata.js';

export function clientAuthenticationMetadata(): ServerMetadata {
  return {
    token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGS.private_key_jwt, ...ASSERTION_SIGNING_ALGS.client_secret_jwt],
  };
}
