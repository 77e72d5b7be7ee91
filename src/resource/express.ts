// Express adapter: middleware that verifies the access token (RFC 6750 §2.1, RFC 9449 §7) and answers per RFC 6750 §3.
import type { AccessTokenVerifier } from './create-access-token-verifier.js';
import { absoluteUrl, type UrlOptions } from './node-request.js';
import type { Principal, Requirements } from './principal.js';
import type { ProtectedResourceMetadata } from './protected-resource-metadata.js';
import { ResourceError } from './resource-error.js';

// Structural slices of Express's types: this library depends on jose only (scripts/check-layers.mjs).
export interface ExpressRequestLike {
  readonly method: string;
  readonly originalUrl: string;
  readonly protocol: string;
  /** Express 5: the Host (or, with trust proxy, X-Forwarded-Host), port included. */
  readonly host?: string;
  get(name: 'host'): string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  auth?: Principal;
}
export interface ExpressResponseLike {
  readonly locals: Record<string, unknown>;
  status(code: number): ExpressResponseLike;
  set(name: string, value: string): ExpressResponseLike;
  json(body: unknown): unknown;
  end(): unknown;
}
export type NextLike = (error?: unknown) => void;

/**
 * `app.use(expressAuthenticator(verifier))` or per route. Sets `req.auth` and `res.locals.principal`. When an outer
 * middleware already set them, only the requirements are checked (a DPoP proof is good once). Failures to reach
 * the issuer go to `next(error)`.
 */
export function expressAuthenticator(verifier: AccessTokenVerifier, requirements?: Requirements, options: UrlOptions = {}) {
  return (req: ExpressRequestLike, res: ExpressResponseLike, next: NextLike): void => {
    const existing = req.auth;
    const verified =
      existing !== undefined
        ? Promise.resolve().then(() => verifier.authorize(existing, requirements))
        : verifier.verify({ method: req.method, url: absoluteUrl(req.protocol, req.host ?? req.get('host'), req.originalUrl, options), headers: req.headers }, requirements);
    verified.then(
      (principal) => {
        req.auth = principal;
        res.locals.principal = principal;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof ResourceError)) return next(error);
        res.status(error.status).set('www-authenticate', error.wwwAuthenticate).set('cache-control', 'no-store');
        const body = error.body();
        if (body === undefined) res.end();
        else res.json(body);
      },
    );
  };
}

/** A handler for `app.get(protectedResourceMetadataPath(resource), …)` (RFC 9728 §3.2). */
export function expressProtectedResourceMetadata(metadata: ProtectedResourceMetadata) {
  return (_req: unknown, res: ExpressResponseLike): void => {
    res.set('cache-control', 'public, max-age=3600').set('access-control-allow-origin', '*').json(metadata);
  };
}
