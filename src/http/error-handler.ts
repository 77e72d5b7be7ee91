// The one place an OAuthError becomes an HTTP status and body (STYLE.md principle 4). RFC 6749 §5.2, RFC 6750 §3.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse } from '../protocol/authorization/authorization-response.js';
import { OAuthError, type OAuthErrorCode } from '../protocol/errors.js';
import { StorageUnavailableError } from '../storage/open-storage.js';
import { StorageFaultError } from '../storage/storage-fault.js';
import { sendAuthorizationResponse, sendPage, type PageRenderer } from './page-response.js';
import { logStorageFault } from './storage-fault-log.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route serves Latchkey's pages: an error that is not redirected is shown as the error page. */
    page?: boolean;
  }
  interface FastifyReply {
    /** The OAuth error code the response carries, once the error handler has sent one (the metrics' `error` label). */
    oauthError: OAuthErrorCode | null;
  }
}

export const STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  invalid_token: 401,
  insufficient_scope: 403,
  unsupported_token_type: 400,
  invalid_target: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_software_statement: 400,
  unapproved_software_statement: 400,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  account_selection_required: 400,
  invalid_request_uri: 400,
  invalid_request_object: 400,
  request_not_supported: 400,
  request_uri_not_supported: 400,
  registration_not_supported: 400,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  server_error: 500,
  temporarily_unavailable: 503,
} as const satisfies Record<OAuthErrorCode, number>; // a new code without a status fails to compile

/** RFC 6749 §5.1: responses carrying tokens or credentials must not be cached. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** Anything that is not an OAuthError: framework 4xx → invalid_request (or its kin), the rest → server_error. */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  // The database is unreachable, or cannot take writes (full or read-only disk): RFC 6749 §5.2 temporarily_unavailable.
  if (error instanceof StorageUnavailableError || error instanceof StorageFaultError || isConnectionFailure(error)) {
    return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable', { cause: error, headers: { 'retry-after': '5' } });
  }
  const framework = error as Partial<FastifyError>;
  const status = framework.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new OAuthError('payload_too_large', 'request body is too large', { cause: error });
    if (status === 415) return new OAuthError('unsupported_media_type', 'content type is not accepted here', { cause: error });
    if (status === 404) return new OAuthError('not_found', 'not found', { cause: error });
    if (status === 405) return new OAuthError('method_not_allowed', 'method not allowed', { cause: error });
    return new OAuthError('invalid_request', 'the request is malformed', { cause: error });
  }
  return new OAuthError('server_error', 'the server met an unexpected condition', { cause: error });
}

// Socket errors; PostgreSQL's admin_shutdown, crash_shutdown, cannot_connect_now (57P0x) and too_many_connections;
// SQLite's busy (another process holds the write lock past busy_timeout).
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY']);

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true; // class 08: connection exception
  const message = (error as Error | null)?.message ?? '';
  // pg's own messages: the socket closed, connect timed out, or the client was broken by an earlier connection error.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|is not queryable/i.test(message);
}

export function sendOAuthError(failure: OAuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  logFailure(failure, request);
  if (failure.code === 'invalid_client' && request.headers.authorization?.toLowerCase().startsWith('basic ')) {
    reply.header('www-authenticate', 'Basic realm="latchkey", charset="UTF-8"'); // RFC 6749 §5.2
  }
  reply.oauthError = failure.code; // the metrics' error label
  const body: Record<string, string> = { error: failure.code };
  if (failure.description !== undefined) body.error_description = failure.description;
  // RFC 9449 §7.1, RFC 6750 §3.1: a proof failure at a protected resource comes with a challenge and is a 401, not the
  // token endpoint's 400.
  const challenged = (failure.code === 'invalid_dpop_proof' || failure.code === 'use_dpop_nonce') && failure.headers['www-authenticate'] !== undefined;
  return reply.code(challenged ? 401 : STATUS[failure.code]).headers(NO_STORE).headers(failure.headers).type('application/json; charset=utf-8').send(body);
}

/**
 * Fastify's `frameworkErrors` option: a malformed URL or an over-long path parameter is answered by the router
 * before any hook runs; this gives it the same OAuth error body (invalid_request) instead of echoing the path.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendOAuthError(toOAuthError(error), request, reply);
}

const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request target or headers are too large'],
};

/**
 * Fastify's `clientErrorHandler`: a request the HTTP parser refuses (an over-long request line or headers, CR/LF or
 * control bytes in the target, a timeout) gets an RFC 6749 §5.2 body like every other error, not Fastify's own shape
 * (Authelia CVE-2021-32637: malformed targets through a proxy). Nothing of the request is echoed.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, description] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request', 'the request is malformed'];
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  this.log.debug({ err: error }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function logFailure(failure: OAuthError, request: FastifyRequest): void {
  if (failure.code === 'server_error') request.log.error({ err: failure.cause ?? failure }, 'unexpected failure');
  else if (failure.code === 'temporarily_unavailable') {
    if (failure.cause instanceof StorageFaultError) logStorageFault(failure.cause, request.log);
    request.log.warn({ err: failure.cause }, 'dependency unavailable');
  }
}

export interface ErrorHandlerOptions {
  /** Renders the error page and form_post responses (Latchkey's pages). */
  readonly render?: PageRenderer;
}

/**
 * JSON for endpoints (RFC 6749 §5.2); for the authorization endpoint, a redirect to the client only once client_id and
 * redirect_uri are verified (RFC 6749 §4.1.2.1, the error then carries `redirect`), else Latchkey's own error page.
 */
export function registerErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  const { render } = options;
  app.decorateReply('oauthError', null);
  app.setErrorHandler((error, request, reply) => {
    const failure = toOAuthError(error);
    reply.oauthError = failure.code; // the metrics' error label
    if (render !== undefined && failure.redirect !== undefined) {
      logFailure(failure, request);
      return sendAuthorizationResponse(reply, render, errorResponse(failure.redirect, failure));
    }
    if (render !== undefined && request.routeOptions.config?.page === true) {
      logFailure(failure, request);
      reply.headers(failure.headers);
      return sendPage(reply, render, { page: 'error', code: failure.code, ...(failure.description !== undefined && { description: failure.description }) }, STATUS[failure.code]);
    }
    return sendOAuthError(failure, request, reply);
  });
  app.setNotFoundHandler((request, reply) => sendOAuthError(new OAuthError('not_found', 'no such endpoint'), request, reply));
}
