// The composition root: the whole server wired on one readable page (DESIGN.md).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { loadMasterKey } from './config/load-master-key.js';
import { registerErrorHandler } from './http/error-handler.js';
import { discoveryRoutes } from './http/routes/discovery.js';
import { healthRoutes } from './http/routes/health.js';
import { jwksRoute } from './http/routes/jwks.js';
import { systemClock, type Clock } from './lib/clock.js';
import { systemRandom, type Random } from './lib/random.js';
import { buildServerMetadata, ENDPOINT_PATHS } from './protocol/discovery/server-metadata.js';
import { KeyRing } from './protocol/keys/key-ring.js';
import { openStorage } from './storage/open-storage.js';
import type { Storage } from './storage/storage.js';

export interface AppDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly random: Random;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, storage, keys } = deps;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Never log secrets: no query strings (codes, tokens), no headers, no bodies.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, path: req.url.split('?')[0], remoteAddress: req.ip }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });
  // Graceful shutdown: a request in flight when close() starts still finishes, and its keep-alive connection then
  // closes (RFC 9112 §9.6); otherwise server.close() waits on the idle socket until the shutdown timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  registerErrorHandler(app);

  const metadata = buildServerMetadata(config, []);
  discoveryRoutes(app, metadata);
  jwksRoute(app, ENDPOINT_PATHS.jwks, keys);
  healthRoutes(app, {
    async check() {
      const database = await storage.ping().then(() => 'ok' as const, () => 'failing' as const);
      const signingKeys = keys.hasKeys ? ('ok' as const) : ('failing' as const);
      return { ready: database === 'ok' && signingKeys === 'ok', checks: { database, signingKeys } };
    },
  });
  return app;
}

export interface StartOptions {
  readonly clock?: Clock;
  readonly random?: Random;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly deps: AppDeps;
  /** The URL the server listens on (with the real port when configured with port 0). */
  readonly url: string;
  readonly createdMasterKey: boolean;
  close(): Promise<void>;
}

/** Opens storage (migrating it), loads or creates keys, and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const master = loadMasterKey(config);
  const storage = await openStorage(config.databaseUrl, { poolSize: config.databasePoolSize });
  try {
    const keys = new KeyRing({
      store: storage.signingKeys,
      masterKey: master.key,
      clock,
      prePublicationMs: config.keys.prePublicationSeconds * 1000,
      retentionMs: config.keys.retentionSeconds * 1000,
    });
    await keys.ensureKeys([config.keys.accessTokenAlg, config.keys.idTokenAlg]);
    const deps: AppDeps = { config, storage, keys, clock, random };
    const app = buildApp(deps);
    const address = await app.listen({ host: config.host, port: config.port });
    const port = new URL(address).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return {
      app,
      deps,
      url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
      createdMasterKey: master.created,
      async close() {
        await app.close();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
}
