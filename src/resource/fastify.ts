// Fastify adapter: a preHandler that verifies the access token (RFC 6750 §2.1, RFC 9449 §7) and answers per RFC 6750 §3.
import type { AccessTokenVerifier } from './create-access-token-verifier.js';
import { absoluteUrl, type UrlOptions } from './node-request.js';
import type { Principal, Requirements } from './principal.js';
import type { ProtectedResourceMetadata } from './protected-resource-metadata.js';
import { protectedResourceMetadataPath } from './protected-resource-metadata.js';
import { ResourceError } from './resource-error.js';

// Structural slices of Fastify's types: this library depends on jose only (scripts/check-layers.mjs).
export interface FastifyRequestLike {
  readonly method: string;
  readonly url: string;
  readonly protocol: string;
  readonly host: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly routeOptions?: { readonly config?: unknown };
  principal?: Principal | null;
}
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}
type PreHandler = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<FastifyReplyLike | undefined>;
export interface FastifyInstanceLike {
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: null): unknown;
  addHook(name: 'preHandler', hook: PreHandler): unknown;
  get(path: string, handler: (request: unknown, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

function sendError(reply: FastifyReplyLike, error: ResourceError): FastifyReplyLike {
  reply.code(error.status).header('www-authenticate', error.wwwAuthenticate).header('cache-control', 'no-store');
  const body = error.body();
  return body === undefined ? reply.send() : reply.send(body);
}

/**
 * A preHandler for one route (`{ preHandler: fastifyAuthenticator(verifier, { scopes: ['write'] }) }`) or for all
 * (`app.addHook('preHandler', …)`); sets `request.principal`. When an outer hook already set it, only the
 * requirements are checked (a DPoP proof is good once).
 */
export function fastifyAuthenticator(verifier: AccessTokenVerifier, requirements?: Requirements, options: UrlOptions = {}): PreHandler {
  return async (request, reply) => {
    try {
      request.principal = request.principal
        ? verifier.authorize(request.principal, requirements)
        : await verifier.verify({ method: request.method, url: absoluteUrl(request.protocol, request.host, request.url, options), headers: request.headers }, requirements);
      return undefined;
    } catch (error) {
      if (error instanceof ResourceError) return sendError(reply, error);
      throw error;
    }
  };
}

export interface FastifyResourceOptions extends UrlOptions {
  readonly verifier: AccessTokenVerifier;
  /** Requirements for every route; a route adds its own as `config: { resource: { scopes: [...] } }`, or opts out with `config: { resource: false }`. */
  readonly requirements?: Requirements;
  /** Served at /.well-known/oauth-protected-resource[/path] (RFC 9728 §3). */
  readonly metadata?: ProtectedResourceMetadata;
}

const routeRequirements = (request: FastifyRequestLike): Requirements | false | undefined => {
  const config = request.routeOptions?.config;
  if (typeof config !== 'object' || config === null || !('resource' in config)) return undefined;
  return (config as { resource: Requirements | false }).resource;
};

/**
 * A plugin protecting every route of the scope it is registered in (it is not encapsulated: hooks apply to the
 * registering scope, like fastify-plugin would do). Declare `principal` on FastifyRequest to type it (see docs).
 */
export async function fastifyResource(app: FastifyInstanceLike, options: FastifyResourceOptions): Promise<void> {
  const { verifier, metadata } = options;
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
  const metadataPath = metadata === undefined ? undefined : protectedResourceMetadataPath(metadata.resource);
  if (metadata !== undefined && metadataPath !== undefined) {
    app.get(metadataPath, async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').header('access-control-allow-origin', '*').send(metadata));
  }
  app.addHook('preHandler', async (request, reply) => {
    const own = routeRequirements(request);
    if (own === false || request.url.split('?')[0] === metadataPath) return undefined;
    const requirements: Requirements = {
      ...options.requirements,
      ...own,
      scopes: [...(options.requirements?.scopes ?? []), ...(own?.scopes ?? [])],
    };
    return fastifyAuthenticator(verifier, requirements, options)(request, reply);
  });
}
// Fastify's skip-override (what fastify-plugin sets): the hook applies to the scope that registers the plugin.
Object.assign(fastifyResource, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'latchkey-resource' });
