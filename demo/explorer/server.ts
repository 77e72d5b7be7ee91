// The demo client web app: the flow explorer's routes. One in-memory flow per browser (a random cookie), forms that
// POST one step each and answer 303 (RFC 9110 §15.4.4), the redirect URI, and the served stylesheet.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { buildAuthorizationRequest, buildLogout, callApi, decodeTokens, receiveCallback, redeemCode, refreshTokens, revokeTokens, type ClientSetup, type FlowState } from './flow.js';
import { ExplorerPage } from './page.js';

const STYLESHEET = readFileSync(new URL('./explorer.css', import.meta.url), 'utf8');
const COOKIE = 'demo_flow';

export interface ExplorerOptions {
  readonly setup: ClientSetup;
  readonly username: string;
  readonly port: number;
}

type Step = (setup: ClientSetup, state: FlowState) => Promise<void> | void;

/** What each form does; a step's failure is shown in its panel. */
const STEPS: Record<number, Step> = {
  5: redeemCode,
  6: decodeTokens,
  7: async (setup, state) => {
    state.apiCalls = [...(state.apiCalls ?? []), await callApi(setup, state.tokens)];
  },
  8: refreshTokens,
  9: revokeTokens,
  10: (setup, state) => {
    state.logout = buildLogout(setup, state);
  },
};

export async function startExplorer({ setup, username, port }: ExplorerOptions): Promise<FastifyInstance> {
  const flows = new Map<string, FlowState>();
  const app = Fastify();
  // The step forms post application/x-www-form-urlencoded (their fields are not read: the URL names the step).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const issuerOrigin = new URL(setup.issuer).origin;
  app.addHook('onSend', async (_request, reply) => {
    reply
      // form-action names Latchkey: Chrome applies it to the redirect that follows a form (step 10).
      .header('content-security-policy', `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self' ${issuerOrigin}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff');
    if (reply.getHeader('cache-control') === undefined) reply.header('cache-control', 'no-store');
  });

  const flowOf = (request: FastifyRequest, reply: FastifyReply): FlowState => {
    const id = /(?:^|;\s*)demo_flow=([A-Za-z0-9_-]+)/.exec(request.headers.cookie ?? '')?.[1];
    const found = id === undefined ? undefined : flows.get(id);
    if (id !== undefined && found !== undefined) return found;
    const fresh = randomBytes(16).toString('base64url');
    const state: FlowState = {};
    flows.set(fresh, state);
    reply.header('set-cookie', `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    return state;
  };
  const backTo = (reply: FastifyReply, step: number) => reply.code(303).header('location', `/#step-${step}`).send();

  app.get('/', async (request, reply) => {
    const state = flowOf(request, reply);
    return reply.type('text/html; charset=utf-8').send(ExplorerPage({ setup, state, username }));
  });
  app.get('/explorer.css', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').type('text/css; charset=utf-8').send(STYLESHEET));

  app.post('/reset', async (request, reply) => {
    const state = flowOf(request, reply);
    for (const key of Object.keys(state)) delete state[key as keyof FlowState];
    return backTo(reply, 1);
  });
  app.post('/steps/2', async (request, reply) => {
    const state = flowOf(request, reply);
    for (const key of Object.keys(state)) delete state[key as keyof FlowState]; // a new request starts a new flow
    state.authorization = buildAuthorizationRequest(setup);
    return backTo(reply, 2);
  });
  app.post<{ Params: { step: string } }>('/steps/:step', async (request, reply) => {
    const step = Number(request.params.step);
    const run = STEPS[step];
    if (run === undefined) return reply.code(404).send();
    const state = flowOf(request, reply);
    delete state.error;
    try {
      await run(setup, state);
    } catch (error) {
      state.error = { step, message: (error as Error).message };
    }
    if (step === 10 && state.logout?.url !== undefined) return reply.code(303).header('location', state.logout.url).send(); // to end_session_endpoint
    return backTo(reply, step);
  });

  // The redirect URI (RFC 6749 §3.1.2): the authorization response arrives here.
  app.get('/callback', async (request, reply) => {
    const state = flowOf(request, reply);
    const url = new URL(request.url, `http://${request.headers.host ?? '127.0.0.1'}`);
    state.callback = receiveCallback(setup, state, url, request.headers);
    return backTo(reply, 4);
  });
  // post_logout_redirect_uri: Latchkey sends the browser back here after logout.
  app.get('/logged-out', async (request, reply) => {
    const state = flowOf(request, reply);
    state.logout = { ...(state.logout ?? { available: true }), returned: { startLine: `GET ${request.url} HTTP/1.1`, headers: [], body: '' } };
    return backTo(reply, 10);
  });

  await app.listen({ host: '127.0.0.1', port });
  return app;
}
