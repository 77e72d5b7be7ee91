// The absolute request URL a Node framework saw, for the DPoP htu check (RFC 9449 §4.3).

export interface UrlOptions {
  /**
   * The public origin clients use (e.g. `https://api.example.com`), when a proxy in front changes scheme or host.
   * Default: the scheme and Host the framework reports (configure its trust-proxy setting behind a proxy).
   */
  readonly baseUrl?: string;
}

/** `path` is the request target (path and query); `protocol` and `host` as the framework reports them. */
export function absoluteUrl(protocol: string, host: string | undefined, path: string, options: UrlOptions): string {
  const origin = options.baseUrl !== undefined ? new URL(options.baseUrl).origin : `${protocol}://${host ?? 'localhost'}`;
  return `${origin}${path.startsWith('/') ? path : `/${path}`}`;
}
