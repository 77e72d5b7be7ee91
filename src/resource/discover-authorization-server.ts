// Finding the issuer's jwks_uri and introspection_endpoint: RFC 8414 §3 (metadata request), §3.3 (issuer check).

export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly introspection_endpoint?: string;
  readonly [name: string]: unknown;
}

/** RFC 8414 §3.1: the well-known suffix goes between the host and any path of the issuer. */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/**
 * Fetches the metadata and checks it is the issuer's own (§3.3: `issuer` must be identical to the one configured,
 * or an attacker's metadata could point us at its keys).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function discoverAuthorizationServer(issuer: string, timeoutMs: number): Promise<AuthorizationServerMetadata> {
  const response = await fetch(metadataUrl(issuer), {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) throw new Error(`authorization server metadata: HTTP ${response.status}`);
  const metadata = (await response.json()) as unknown;
  if (typeof metadata !== 'object' || metadata === null || (metadata as { issuer?: unknown }).issuer !== issuer) {
    throw new Error('authorization server metadata: issuer does not match the configured issuer');
  }
  return metadata as AuthorizationServerMetadata;
}

/** Remembers a successful answer; a failed one is retried on the next call rather than cached. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
