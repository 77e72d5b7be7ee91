// Authorization server metadata: RFC 8414 §2 and OpenID Connect Discovery 1.0 §3, built from what is enabled.
import type { Config } from '../../config/config.js';

export type ServerMetadata = Readonly<Record<string, unknown>>;

/** Where each endpoint lives, relative to the issuer. Later capabilities add theirs. */
export const ENDPOINT_PATHS = {
  jwks: '/jwks',
  token: '/token',
  introspection: '/introspect',
  revocation: '/revoke',
  registration: '/register',
  authorization: '/authorize',
  pushedAuthorizationRequest: '/par',
  userinfo: '/userinfo',
  deviceAuthorization: '/device_authorization',
} as const;

export const endpointUrl = (issuer: string, path: string): string => `${issuer}${path}`;

/**
 * The metadata document. `contributions` come from each enabled capability (token endpoint, authorization,
 * registration, …), so discovery lists only what is on and implemented.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function buildServerMetadata(config: Config, contributions: readonly ServerMetadata[] = []): ServerMetadata {
  const base: Record<string, unknown> = {
    issuer: config.issuer,
    jwks_uri: endpointUrl(config.issuer, ENDPOINT_PATHS.jwks),
    response_types_supported: [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set([config.keys.idTokenAlg, 'RS256'])],
    scopes_supported: ['openid'],
  };
  for (const contribution of contributions) {
    for (const [name, value] of Object.entries(contribution)) {
      const existing = base[name];
      // Lists from several capabilities merge (e.g. grant_types_supported); scalars are set once.
      base[name] = Array.isArray(existing) && Array.isArray(value) ? [...new Set([...existing, ...value])] : value;
    }
  }
  return base;
}
