// Web-standard adapter (Fetch API Request/Response) for Hono, Next.js route handlers, Deno, Bun: RFC 6750 §3 on the wire.
import type { AccessTokenVerifier } from './create-access-token-verifier.js';
import type { UrlOptions } from './node-request.js';
import type { Principal, Requirements } from './principal.js';
import { ResourceError } from './resource-error.js';

/** The URL for the DPoP htu check: the request's own, or its path and query on `baseUrl` behind a proxy. */
function publicUrl(request: Request, options: UrlOptions): string {
  if (options.baseUrl === undefined) return request.url;
  const url = new URL(request.url);
  return `${new URL(options.baseUrl).origin}${url.pathname}${url.search}`;
}

/** `(request) => principal`, throwing ResourceError; turn that into a response with resourceErrorResponse. */
export function webAuthenticator(verifier: AccessTokenVerifier, requirements?: Requirements, options: UrlOptions = {}): (request: Request) => Promise<Principal> {
  return (request) => verifier.verify({ method: request.method, url: publicUrl(request, options), headers: request.headers }, requirements);
}

/**
 * The response RFC 6750 §3 prescribes: status, WWW-Authenticate, and a small JSON body when there is an error
 * code (none when no credentials were sent, §3.1).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function resourceErrorResponse(error: ResourceError): Response {
  const body = error.body();
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status: error.status,
    headers: {
      'www-authenticate': error.wwwAuthenticate,
      'cache-control': 'no-store',
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
  });
}

/** The slice of a Hono Context this needs (structural: this library does not depend on Hono). */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
  get(key: 'principal'): unknown;
  set(key: 'principal', value: Principal): void;
}

/**
 * Hono middleware: sets `c.get('principal')` or answers 400/401/403. Nested uses check their requirements against
 * the principal already there instead of verifying again (a DPoP proof is good once).
 */
export function honoAuthenticator(verifier: AccessTokenVerifier, requirements?: Requirements, options: UrlOptions = {}) {
  return async (c: HonoContextLike, next: () => Promise<void>): Promise<Response | void> => {
    try {
      const existing = c.get('principal') as Principal | undefined;
      c.set('principal', existing === undefined ? await webAuthenticator(verifier, requirements, options)(c.req.raw) : verifier.authorize(existing, requirements));
    } catch (error) {
      if (error instanceof ResourceError) return resourceErrorResponse(error);
      throw error;
    }
    await next();
  };
}
