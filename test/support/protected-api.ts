// One small protected API, built on each adapter of latchkey/resource and served over real loopback HTTP, so the
// same resource-server suite runs through Fastify, Express, Hono and a plain (Request) => Response handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  expressAuthenticator,
  expressProtectedResourceMetadata,
  fastifyResource,
  honoAuthenticator,
  protectedResourceMetadataPath,
  protectedResourceMetadataResponse,
  ResourceError,
  resourceErrorResponse,
  webAuthenticator,
  type AccessTokenVerifier,
  type Principal,
  type ProtectedResourceMetadata,
  type Requirements,
} from '../../src/resource/index.js';

export const ADAPTERS = ['fastify', 'express', 'hono', 'web'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** The routes every adapter serves, with what each requires beyond the verifier's own checks. */
export const ROUTES = {
  me: { method: 'GET', path: '/api/me', requirements: {} },
  write: { method: 'POST', path: '/api/items', requirements: { scopes: ['write'] } },
  elsewhere: { method: 'GET', path: '/api/elsewhere', requirements: { audience: 'https://elsewhere.example.com' } },
} as const satisfies Record<string, { method: string; path: string; requirements: Requirements }>;

export interface ProtectedApi {
  readonly url: string;
  close(): Promise<void>;
}

const answer = (principal: Principal) => ({
  subject: principal.subject,
  clientId: principal.clientId,
  scope: principal.scope,
  audience: principal.audience,
  tokenType: principal.tokenType,
  jkt: principal.cnf?.jkt,
});

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: Principal;
    }
  }
}

async function listen(server: Server): Promise<ProtectedApi> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

/** node:http → Fetch API: what @hono/node-server does, in a few lines, for the Web-standard adapters. */
function serveFetch(handle: (request: Request) => Promise<Response>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, ...(hasBody && { body: Buffer.concat(chunks) }) });
      handle(request).then(
        async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        },
        () => {
          res.writeHead(500).end();
        },
      );
    });
  });
}

export async function startProtectedApi(adapter: AdapterName, verifier: AccessTokenVerifier, metadata: ProtectedResourceMetadata): Promise<ProtectedApi> {
  const metadataPath = protectedResourceMetadataPath(metadata.resource);
  switch (adapter) {
    case 'fastify': {
      const app = Fastify();
      await app.register(fastifyResource, { verifier, metadata });
      for (const route of Object.values(ROUTES)) {
        app.route({
          method: route.method,
          url: route.path,
          config: { resource: route.requirements },
          handler: async (request) => answer(request.principal as Principal),
        });
      }
      await app.listen({ host: '127.0.0.1', port: 0 });
      return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
    }
    case 'express': {
      const app = express();
      app.get(metadataPath, expressProtectedResourceMetadata(metadata));
      app.use('/api', expressAuthenticator(verifier)); // every API route needs a token; routes add their own requirements
      for (const route of Object.values(ROUTES)) {
        const handler = (req: express.Request, res: express.Response) => void res.json(answer(req.auth as Principal));
        app[route.method === 'GET' ? 'get' : 'post'](route.path, expressAuthenticator(verifier, route.requirements), handler);
      }
      return listen(createServer(app));
    }
    case 'hono': {
      const app = new Hono<{ Variables: { principal: Principal } }>();
      app.get(metadataPath, () => protectedResourceMetadataResponse(metadata));
      app.use('/api/*', honoAuthenticator(verifier));
      for (const route of Object.values(ROUTES)) {
        app.on(route.method, route.path, honoAuthenticator(verifier, route.requirements), (c) => c.json(answer(c.get('principal'))));
      }
      return listen(serveFetch(async (request) => app.fetch(request)));
    }
    case 'web': {
      // A plain Fetch API handler, the shape of a Next.js route handler.
      const authenticators = Object.values(ROUTES).map((route) => ({ route, authenticate: webAuthenticator(verifier, route.requirements) }));
      return listen(
        serveFetch(async (request) => {
          const { pathname } = new URL(request.url);
          if (pathname === metadataPath) return protectedResourceMetadataResponse(metadata);
          const found = authenticators.find(({ route }) => route.path === pathname && route.method === request.method);
          if (found === undefined) return new Response('not found', { status: 404 });
          try {
            return Response.json(answer(await found.authenticate(request)));
          } catch (error) {
            if (error instanceof ResourceError) return resourceErrorResponse(error);
            throw error;
          }
        }),
      );
    }
  }
}
