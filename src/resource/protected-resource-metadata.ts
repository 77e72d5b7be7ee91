// OAuth 2.0 Protected Resource Metadata: RFC 9728 §2 (fields), §3 (the well-known URL), §3.2 (the response).

export interface ProtectedResourceMetadataOptions {
  /** This resource's identifier: an https URL without fragment (§2); `aud` in its tokens. */
  readonly resource: string;
  readonly authorizationServers: readonly string[];
  readonly scopesSupported?: readonly string[];
  /** Default ['header']: the only method this library reads (RFC 6750 §2.1). */
  readonly bearerMethodsSupported?: readonly string[];
  /** Set it from verifier.dpopAlgorithms when DPoP is accepted. */
  readonly dpopSigningAlgValuesSupported?: readonly string[];
  readonly dpopBoundAccessTokensRequired?: boolean;
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
}

/** RFC 9728 §2, in the spec's snake_case. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly dpop_bound_access_tokens_required?: boolean;
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc9728#section-2 */
export function buildProtectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  return {
    resource: options.resource,
    authorization_servers: options.authorizationServers,
    ...(options.scopesSupported !== undefined && { scopes_supported: options.scopesSupported }),
    bearer_methods_supported: options.bearerMethodsSupported ?? ['header'],
    ...(options.dpopSigningAlgValuesSupported !== undefined && { dpop_signing_alg_values_supported: options.dpopSigningAlgValuesSupported }),
    ...(options.dpopBoundAccessTokensRequired !== undefined && { dpop_bound_access_tokens_required: options.dpopBoundAccessTokensRequired }),
    ...(options.resourceName !== undefined && { resource_name: options.resourceName }),
    ...(options.resourceDocumentation !== undefined && { resource_documentation: options.resourceDocumentation }),
  };
}

/**
 * §3.1: the well-known suffix goes between the host and the resource's path, so `https://api.example.com/v1`
 * is described at `https://api.example.com/.well-known/oauth-protected-resource/v1`.
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

/** The path to serve the metadata at on this resource's own server. */
export const protectedResourceMetadataPath = (resource: string): string => new URL(protectedResourceMetadataUrl(resource)).pathname;

/** §3.2: 200, application/json. Public, cacheable metadata. */
export function protectedResourceMetadataResponse(metadata: ProtectedResourceMetadata): Response {
  return new Response(JSON.stringify(metadata), {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' },
  });
}
