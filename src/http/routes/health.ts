// GET /healthz (the process is up) and GET /readyz (the database answers and signing keys are loaded).
import type { FastifyInstance } from 'fastify';

export interface Readiness {
  check(): Promise<{ ready: boolean; checks: Record<string, 'ok' | 'failing'> }>;
}

export function healthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', (_request, reply) => {
    reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });
  app.get('/readyz', async (_request, reply) => {
    const { ready, checks } = await readiness.check();
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
