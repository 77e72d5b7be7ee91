// POST /register (RFC 7591 §3) and GET/PUT/DELETE /register/:client_id (RFC 7592 §2): JSON in, JSON out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientRegistryDeps } from '../../protocol/clients/client-registry.js';
import { ENDPOINT_PATHS } from '../../protocol/discovery/server-metadata.js';
import { OAuthError } from '../../protocol/errors.js';
import { deleteRegisteredClient, readRegisteredClient, updateRegisteredClient } from '../../protocol/registration/manage-client.js';
import { registerClient } from '../../protocol/registration/register-client.js';
import { requestOrigin } from '../audit-context.js';
import { NO_STORE } from '../error-handler.js';

/** A registration is configuration: 32 KiB holds twenty redirect URIs and a full JWK Set. */
export const REGISTRATION_BODY_LIMIT = 32 * 1024;

/** RFC 7591 §3.1: the body is application/json; anything else is refused before it is parsed. */
export async function requireJson(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new OAuthError('unsupported_media_type', 'the request body must be application/json');
}

type ClientIdParams = { Params: { client_id: string } };

export function registrationRoutes(app: FastifyInstance, deps: ClientRegistryDeps): void {
  const path = ENDPOINT_PATHS.registration;
  const json = { bodyLimit: REGISTRATION_BODY_LIMIT, onRequest: requireJson };
  const send = (reply: FastifyReply, status: number, body: unknown): FastifyReply => reply.code(status).headers(NO_STORE).send(body); // §3.2.1: no-store

  app.post(path, json, async (request, reply) => send(reply, 201, await registerClient({ body: request.body, authorization: request.headers.authorization, context: requestOrigin(request) }, deps)));

  app.get<ClientIdParams>(`${path}/:client_id`, async (request, reply) =>
    send(reply, 200, await readRegisteredClient({ clientId: request.params.client_id, authorization: request.headers.authorization }, deps)),
  );
  app.put<ClientIdParams>(`${path}/:client_id`, json, async (request, reply) =>
    send(reply, 200, await updateRegisteredClient({ clientId: request.params.client_id, authorization: request.headers.authorization, body: request.body, context: requestOrigin(request) }, deps)),
  );
  app.delete<ClientIdParams>(`${path}/:client_id`, async (request, reply) => {
    await deleteRegisteredClient({ clientId: request.params.client_id, authorization: request.headers.authorization, context: requestOrigin(request) }, deps);
    return reply.code(204).headers(NO_STORE).send();
  });
}
