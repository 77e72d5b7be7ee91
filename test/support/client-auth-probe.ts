// A test-only back-channel endpoint: real HTTP on loopback, the real error handler, and authenticateClient with the
// running server's deps. It stands in for /token, /introspect and /revoke (issue 5) so each client authentication
// method is proven end to end through HTTP without a fake token endpoint in production code.
import Fastify from 'fastify';
import { registerErrorHandler } from '../../src/http/error-handler.js';
import { registerFormParser } from '../../src/http/input-limits.js';
import { authenticateClient } from '../../src/protocol/client-authentication/authenticate-client.js';
import { Params } from '../../src/protocol/params.js';
import type { TestServer } from './test-server.js';

export interface AuthProbe {
  /** The probe's absolute URL: an accepted `aud` for client assertions sent to it. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startAuthProbe(server: TestServer): Promise<AuthProbe> {
  const app = Fastify({ logger: false });
  registerErrorHandler(app);
  registerFormParser(app);
  let url = '';
  app.post('/authenticated', async (request) => {
    const client = await authenticateClient({ authorization: request.headers.authorization, params: Params.from(request.body), endpointUrl: url }, server.server.deps);
    return { client_id: client.clientId, method: client.metadata.token_endpoint_auth_method };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  url = `${address}/authenticated`;
  return { url, close: () => app.close() };
}

/** A JWKS host for jwks_uri tests: serves whatever `keys` holds now, and counts fetches. */
export async function startJwksHost(): Promise<{ url: string; keys: Record<string, unknown>[]; fetches: () => number; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const state = { keys: [] as Record<string, unknown>[], fetches: 0 };
  app.get('/jwks', async (_request, reply) => {
    state.fetches++;
    return reply.type('application/jwk-set+json').send(JSON.stringify({ keys: state.keys }));
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `${address}/jwks`,
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    fetches: () => state.fetches,
    close: () => app.close(),
  };
}
