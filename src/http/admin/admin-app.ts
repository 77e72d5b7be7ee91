// The admin API: a separate Fastify listener (LATCHKEY_ADMIN_PORT, loopback by default) guarded by the admin token.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { constantTimeEqual, hashSecret } from '../../lib/hash.js';
import type { ClientRegistryDeps } from '../../protocol/clients/client-registry.js';
import { OAuthError } from '../../protocol/errors.js';
import { bearerToken, invalidToken } from '../../protocol/registration/bearer-token.js';
import { frameworkErrors, registerErrorHandler } from '../error-handler.js';
import { registerInputLimits } from '../input-limits.js';
import { adminClientRoutes } from '../routes/admin-clients.js';
import type { MetricsSource } from '../metrics/cluster-metrics.js';
import { PROMETHEUS_CONTENT_TYPE, renderExposition } from '../metrics/prometheus.js';
import { adminOpenApi } from './admin-openapi.js';

export const ADMIN_OPENAPI_PATH = '/admin/openapi.json';
/** Prometheus scrapes this, with the admin token (`authorization.credentials` in the scrape config). */
export const METRICS_PATH = '/metrics';

/** Bearer admin token, compared in constant time (hashes first, so the lengths match too). */
function checkAdminToken(expected: string): (request: FastifyRequest) => Promise<void> {
  const expectedHash = hashSecret(expected);
  return async (request) => {
    if (request.url.split('?')[0] === ADMIN_OPENAPI_PATH) return; // the description is public: it holds no secret
    let token: string | undefined;
    try {
      token = bearerToken(request.headers.authorization);
    } catch {
      token = undefined;
    }
    if (token === undefined || !constantTimeEqual(hashSecret(token), expectedHash)) throw invalidToken('the admin token is missing or wrong');
  };
}

export function buildAdminApp(deps: ClientRegistryDeps & { readonly config: Config; readonly scrape?: MetricsSource }): FastifyInstance {
  const { adminToken } = deps.config;
  if (adminToken === undefined) throw new Error('the admin API needs LATCHKEY_ADMIN_TOKEN');
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    frameworkErrors,
  });
  registerErrorHandler(app);
  registerInputLimits(app);
  app.addHook('onRequest', checkAdminToken(adminToken));
  app.get(ADMIN_OPENAPI_PATH, (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(JSON.stringify(adminOpenApi));
  });
  const { scrape } = deps;
  if (scrape !== undefined) {
    app.get(METRICS_PATH, async (_request, reply) => {
      const families = await scrape.collect().catch((error: unknown) => {
        throw new OAuthError('temporarily_unavailable', 'metrics are unavailable', { cause: error, headers: { 'retry-after': '1' } });
      });
      return reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(renderExposition(families));
    });
  }
  adminClientRoutes(app, deps);
  return app;
}
