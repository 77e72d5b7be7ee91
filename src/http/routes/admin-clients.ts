// The admin API's client routes: the registry's operations over HTTP (create, list, show, update, delete,
// rotate-secret) and initial access tokens for RFC 7591 §3. Authentication is the admin listener's job.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { toAdminClientView } from '../../protocol/clients/client-information.js';
import { createClient, deleteClient, getClient, listClients, rotateSecret, splitClientDocument, updateClient, type ClientChange, type ClientRegistryDeps } from '../../protocol/clients/client-registry.js';
import { invalidRequest } from '../../protocol/errors.js';
import { createInitialAccessToken } from '../../protocol/registration/initial-access-tokens.js';
import { toEpochSeconds } from '../../lib/clock.js';
import { auditContext } from '../audit-context.js';
import { NO_STORE } from '../error-handler.js';
import { REGISTRATION_BODY_LIMIT, requireJson } from './registration.js';

type ClientIdParams = { Params: { client_id: string } };

const DEFAULT_INITIAL_ACCESS_TOKEN_SECONDS = 86_400;

function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) throw invalidRequest(`${name} must be a whole number from ${min} to ${max}`);
  return number;
}

export function adminClientRoutes(app: FastifyInstance, deps: ClientRegistryDeps): void {
  const json = { bodyLimit: REGISTRATION_BODY_LIMIT, onRequest: requireJson };
  const view = (reply: FastifyReply, status: number, change: ClientChange): FastifyReply =>
    reply.code(status).headers(NO_STORE).send(toAdminClientView(change.client, deps.clock.now(), { ...(change.clientSecret !== undefined && { clientSecret: change.clientSecret }) }));

  app.get<{ Querystring: { after?: string; limit?: string } }>('/admin/clients', async (request, reply) => {
    const limit = optionalInteger(request.query.limit, 'limit', 1, 1000) ?? 100;
    const clients = await listClients({ ...(request.query.after !== undefined && { after: request.query.after }), limit }, deps);
    const now = deps.clock.now();
    const last = clients.at(-1);
    return reply.headers(NO_STORE).send({ clients: clients.map((client) => toAdminClientView(client, now)), ...(clients.length === limit && last !== undefined && { next_after: last.clientId }) });
  });
  app.post('/admin/clients', json, async (request, reply) => view(reply, 201, await createClient(splitClientDocument(request.body), deps, { context: auditContext(request, 'admin-api') })));
  app.get<ClientIdParams>('/admin/clients/:client_id', async (request, reply) => view(reply, 200, { client: await getClient(request.params.client_id, deps) }));
  app.put<ClientIdParams>('/admin/clients/:client_id', json, async (request, reply) =>
    view(reply, 200, await updateClient(request.params.client_id, splitClientDocument(request.body), deps, { context: auditContext(request, 'admin-api') })),
  );
  app.delete<ClientIdParams>('/admin/clients/:client_id', async (request, reply) => {
    await deleteClient(request.params.client_id, deps, { context: auditContext(request, 'admin-api') });
    return reply.code(204).send();
  });
  app.post<ClientIdParams & { Body: { grace_seconds?: unknown } | undefined }>('/admin/clients/:client_id/rotate-secret', async (request, reply) => {
    const graceSeconds = optionalInteger(request.body?.grace_seconds, 'grace_seconds', 0, 30 * 86_400);
    return view(reply, 200, await rotateSecret(request.params.client_id, { ...(graceSeconds !== undefined && { graceSeconds }), context: auditContext(request, 'admin-api') }, deps));
  });
  app.post<{ Body: { expires_in?: unknown } | undefined }>('/admin/registration-tokens', async (request, reply) => {
    const expiresIn = optionalInteger(request.body?.expires_in, 'expires_in', 1, 366 * 86_400) ?? DEFAULT_INITIAL_ACCESS_TOKEN_SECONDS;
    const { token, expiresAt } = await createInitialAccessToken(expiresIn, deps, auditContext(request, 'admin-api'));
    return reply.code(201).headers(NO_STORE).send({ initial_access_token: token, expires_at: toEpochSeconds(expiresAt) });
  });
}
