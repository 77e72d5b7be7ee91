// The shape every back-channel endpoint shares: POST only, application/x-www-form-urlencoded only (RFC 6749 §3.2,
// RFC 7009 §2.1, RFC 7662 §2.1), and nothing cached (RFC 6749 §5.1) — errors get NO_STORE from the error handler.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { OAuthError } from '../../protocol/errors.js';
import { NO_STORE } from '../error-handler.js';

const FORM = 'application/x-www-form-urlencoded';

/** 415 for any other media type, before the body is parsed; 400 when none is given. Callback-style: no promise. */
function requireForm(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const type = request.headers['content-type'];
  if (type === undefined) return done(new OAuthError('invalid_request', `the request body must be ${FORM}`));
  const semicolon = type.indexOf(';');
  const media = (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  done(media === FORM ? undefined : new OAuthError('unsupported_media_type', `the request body must be ${FORM}`));
}

/**
 * Registers `handle` for POST `path`; other methods get 405 with `Allow: POST`. The handler's result is sent as
 * JSON, or an empty 200 when it is undefined.
 */
export function formPostRoute(app: FastifyInstance, path: string, handle: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  app.post(path, { onRequest: requireForm }, async (request: FastifyRequest, reply: FastifyReply) => {
    const body = await handle(request, reply);
    reply.headers(NO_STORE);
    return body === undefined ? reply.send() : reply.send(body);
  });
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: path,
    handler: async () => {
      throw new OAuthError('method_not_allowed', 'use POST', { headers: { allow: 'POST' } });
    },
  });
}
