// The documents that are the same for every caller, discovery (RFC 8414 §3, OpenID Connect Discovery §4) and the
// JWK Set (RFC 7517 §5), answered straight from node:http, before Fastify's routing, hooks and reply (issue #10 §2:
// a fifth of a discovery request's CPU time, measured). Only the plain case is answered here: GET or HEAD of the exact
// path, no query string, within the transport limits, while the server is not closing and logs above debug.
// Anything else goes on to Fastify, whose routes serve the same documents, so the answers are the same either way.
import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';
import { checkTransportLimits } from './input-limits.js';
import { requestIdOf } from './request-id.js';

/** One document: its path, its headers, and its current bytes (JWKS: they change with key rotation). */
export interface StaticDocument {
  readonly path: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** The body as it is now; undefined when it must first be brought up to date (the JWKS, now and then): the route then answers. */
  body(): Buffer | undefined;
}

export interface StaticDocumentOptions {
  /** True while the server shuts down: Fastify then answers (503 for new requests, Connection: close). */
  readonly closing: () => boolean;
  /** A completed answer, for the request metrics: the route pattern, the method, the status and the seconds it took. */
  readonly observe?: (route: string, method: string, status: number, seconds: number) => void;
}

/** A node:http request listener's front: true when it answered the request, false to hand it on untouched. */
export type FrontHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

export function staticDocuments(documents: readonly StaticDocument[], options: StaticDocumentOptions): FrontHandler {
  const byPath = new Map(documents.map((document) => [document.path, document]));
  return (request, response) => {
    const { method, url } = request;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const document = byPath.get(url ?? '');
    if (document === undefined || options.closing() || !withinTransportLimits(request)) return false;
    const started = performance.now();
    const body = document.body();
    if (body === undefined) return false;
    response.writeHead(200, {
      'content-type': document.contentType,
      'content-length': body.byteLength,
      'cache-control': document.cacheControl,
      'access-control-allow-origin': '*',
      'x-request-id': requestIdOf(request),
    });
    response.end(body); // node:http sends no body for HEAD
    options.observe?.(document.path, method, 200, (performance.now() - started) / 1000);
    return true;
  };
}

function withinTransportLimits(request: IncomingMessage): boolean {
  try {
    checkTransportLimits(request);
    return true;
  } catch {
    return false; // Fastify refuses it with the RFC-shaped error
  }
}

/** The settings Fastify passes its serverFactory (its defaults filled in) that shape the node:http server. */
interface HttpServerSettings {
  readonly http?: ServerOptions;
  readonly keepAliveTimeout?: number;
  readonly requestTimeout?: number;
  readonly connectionTimeout?: number;
  readonly maxRequestsPerSocket?: number | null;
}

/**
 * Fastify's `serverFactory`: the node:http server Fastify would make (its http options and timeouts, with Fastify's
 * defaults), whose listener asks `front()` first and hands everything else to Fastify.
 */
export function serverWithFront(front: () => FrontHandler): FastifyServerFactory {
  return (handler, given) => {
    const options = given as HttpServerSettings;
    const server = createServer(options.http ?? {}, (request, response) => {
      if (!front()(request, response)) handler(request, response);
    });
    server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
    server.requestTimeout = options.requestTimeout ?? 0;
    server.setTimeout(options.connectionTimeout ?? 0);
    if (typeof options.maxRequestsPerSocket === 'number' && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}
