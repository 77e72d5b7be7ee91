// The composition root: the whole server wired on one readable page (DESIGN.md).
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config/config.js';
import { loadMasterKey } from './config/load-master-key.js';
import { buildAdminApp } from './http/admin/admin-app.js';
import { clientErrorHandler, frameworkErrors, registerErrorHandler } from './http/error-handler.js';
import { registerFormParser, registerInputLimits } from './http/input-limits.js';
import { registerRateLimits } from './http/rate-limit.js';
import { cookieSettings } from './http/cookies.js';
import { metricsSource } from './http/metrics/cluster-metrics.js';
import { countAuditEvents, ServerMetrics } from './http/metrics/server-metrics.js';
import { requestIdOf } from './http/request-id.js';
import { RequestLog } from './http/request-log.js';
import { serverWithFront, staticDocuments, type FrontHandler } from './http/static-documents.js';
import type { PageRenderer } from './http/page-response.js';
import { accountRoutes } from './http/routes/account.js';
import { authorizeRoutes } from './http/routes/authorize.js';
import { deviceRoutes } from './http/routes/device.js';
import { discoveryRoutes } from './http/routes/discovery.js';
import { healthRoutes } from './http/routes/health.js';
import { interactionRoutes } from './http/routes/interaction.js';
import { introspectionRoute } from './http/routes/introspection.js';
import { jwksDocument, jwksRoute } from './http/routes/jwks.js';
import { logoutRoutes } from './http/routes/logout.js';
import { pushedAuthorizationRequestRoute } from './http/routes/par.js';
import { registrationRoutes } from './http/routes/registration.js';
import { revocationRoute } from './http/routes/revocation.js';
import { tokenRoute } from './http/routes/token.js';
import { uiAssetRoutes } from './http/routes/ui-assets.js';
import { userInfoRoutes } from './http/routes/userinfo.js';
import { changePassword, revokeApp, showAccount, signOutEverywhere } from './interaction/account.js';
import { showInteraction } from './interaction/continue-interaction.js';
import { confirmLogout, requestLogout } from './interaction/logout.js';
import { submitAccountChoice } from './interaction/submit-account-choice.js';
import { submitConsent } from './interaction/submit-consent.js';
import { submitLogin } from './interaction/submit-login.js';
import { deviceEntryPage, submitUserCode } from './interaction/verify-device.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { MasterKey } from './lib/master-key.js';
import { systemRandom, type Random } from './lib/random.js';
import { postForm } from './lib/backchannel-post.js';
import { parseOutboundAllowList } from './lib/outbound/address-policy.js';
import type { OutboundPolicy } from './lib/outbound/guarded-fetch.js';
import { authorizationMetadata } from './protocol/authorization/authorization-metadata.js';
import { createAuthorizationEndpoint } from './protocol/authorization/authorize.js';
import { createPushedAuthorizationRequestEndpoint } from './protocol/authorization/push-authorization-request.js';
import { clientAuthenticationMetadata } from './protocol/client-authentication/client-authentication-metadata.js';
import { createClientJwksSource, outboundPolicy, type ClientJwksSource } from './protocol/client-authentication/client-jwks.js';
import type { ProtocolDeps } from './protocol/deps.js';
import { buildServerMetadata, endpointUrl, ENDPOINT_PATHS } from './protocol/discovery/server-metadata.js';
import { tokenMetadata } from './protocol/discovery/token-metadata.js';
import { createDeviceAuthorizationEndpoint, VERIFICATION_PATH } from './protocol/device/authorize-device.js';
import { dpopMetadata } from './protocol/dpop/dpop-metadata.js';
import { nextServerNonce } from './protocol/dpop/server-nonce-check.js';
import { authorizationCodeGrant } from './protocol/grants/authorization-code.js';
import { clientCredentialsGrant } from './protocol/grants/client-credentials.js';
import { deviceCodeGrant } from './protocol/grants/device-code.js';
import { passwordGrant } from './protocol/grants/password.js';
import { refreshTokenGrant } from './protocol/grants/refresh-token.js';
import { createTokenEndpoint } from './protocol/grants/token-endpoint.js';
import { tokenExchangeGrant } from './protocol/grants/token-exchange.js';
import type { TokenGrant } from './protocol/grants/token-grant.js';
import { createIntrospectionEndpoint } from './protocol/introspection/introspect-token.js';
import { KeyRing } from './protocol/keys/key-ring.js';
import { scheduleGarbageCollection } from './protocol/maintenance/collect-garbage.js';
import { expirySweepers } from './protocol/maintenance/sweepers.js';
import { registrationMetadata } from './protocol/registration/registration-metadata.js';
import { createRevocationEndpoint } from './protocol/revocation/revoke-token.js';
import { scheduleBackchannelDelivery } from './protocol/sessions/deliver-backchannel-logouts.js';
import { END_SESSION_PATH, logoutMetadata } from './protocol/sessions/logout-metadata.js';
import { createTokenIssuer } from './protocol/tokens/create-token-issuer.js';
import { createUserInfoEndpoint } from './protocol/userinfo/userinfo.js';
import { CLIENT_CACHE_TTL_MS } from './storage/client-cache.js';
import { openStorage } from './storage/open-storage.js';
import type { Storage } from './storage/storage.js';
import { renderPage } from './ui/render-page.js';
import { FORM_POST_SCRIPT, renderStylesheet } from './ui/stylesheet.js';
import { ASSET_PATHS, themeFrom, type Theme } from './ui/theme.js';

export interface AppDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly keys: KeyRing;
  readonly clock: Clock;
  readonly random: Random;
  readonly masterKey: MasterKey;
  /** The jwks_uri cache for private_key_jwt client authentication (pass it on in ProtocolDeps). */
  readonly clientJwks: ClientJwksSource;
  /** The Prometheus metrics this process counts (served on the admin listener); absent, nothing is counted. */
  readonly metrics?: ServerMetrics;
}

/** Back-channel logout goes through the outbound guard: the operator's allow-list, and loopback http only when opted in. */
function backchannelPolicy(config: Config): OutboundPolicy {
  return { allow: parseOutboundAllowList(config.outboundAllow), allowLoopbackHttp: config.backchannelLogout.allowLoopback };
}

/** Fastify's trustProxy from the validated setting (a hop count, or the proxies' addresses; never `true`). */
function trustProxyOption(setting: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  if (typeof setting === 'number') return (_address, hop) => hop < setting; // Fastify's own reading of a hop count
  return setting === false ? false : [...setting];
}

export function buildApp(given: AppDeps): FastifyInstance {
  const { metrics } = given;
  // Security events (failed logins, refresh and code reuse) are counted where the audit log records them.
  const deps = metrics === undefined ? given : { ...given, storage: { ...given.storage, audit: countAuditEvents(given.storage.audit, metrics) } };
  const { config, storage, keys } = deps;
  const protocol: ProtocolDeps = { ...deps, tokens: createTokenIssuer(deps) };
  const grants: TokenGrant[] = [
    authorizationCodeGrant,
    clientCredentialsGrant,
    refreshTokenGrant,
    tokenExchangeGrant,
    deviceCodeGrant,
    ...(config.legacyGrants.password ? [passwordGrant] : []), // RFC 9700 §2.4: only when the operator turns it on
  ];
  const theme = themeFrom(config);
  const render: PageRenderer = (model) => renderPage(model, theme);
  let front: FrontHandler = () => false;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Never log secrets: no query strings (codes, tokens), no headers, no bodies.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, path: req.url.split('?')[0], remoteAddress: req.ip }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
    genReqId: requestIdOf,
    // Discovery and the JWKS are answered before Fastify when nothing about the request needs it (issue #10 §2).
    serverFactory: serverWithFront(() => front),
    // One line per request, at info only for errors and slow responses; it also feeds the request metrics.
    logController: new RequestLog(metrics === undefined ? undefined : (request, reply) => metrics.observeRequest(request, reply)),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler, // a request the HTTP parser refuses still gets an OAuth error body
    // RFC 9700 §4.13: request.ip (rate limits, audit, login throttle) comes from X-Forwarded-For only when the peer is a
    // configured proxy. Nothing reads request.host or request.protocol: URLs are built from the configured issuer.
    trustProxy: trustProxyOption(config.trustProxy),
  });
  // Graceful shutdown: a request in flight when close() starts still finishes, and its keep-alive connection then
  // closes (RFC 9112 §9.6); otherwise server.close() waits on the idle socket until the shutdown timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback-style (not async) hooks on every request: no promise and microtask per hook (issue #10 §2).
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  registerErrorHandler(app, { render });
  registerInputLimits(app);
  registerRateLimits(app, deps);
  registerFormParser(app);

  const metadata = buildServerMetadata(config, [
    clientAuthenticationMetadata(),
    registrationMetadata(config),
    tokenMetadata(config, grants.map((grant) => grant.grantType)),
    authorizationMetadata(config),
    logoutMetadata(config),
    dpopMetadata(),
    { device_authorization_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.deviceAuthorization) }, // RFC 8628 §4
  ]);
  const documents = [...discoveryRoutes(app, metadata), jwksDocument(ENDPOINT_PATHS.jwks, keys)];
  jwksRoute(app, ENDPOINT_PATHS.jwks, keys);
  // Every request is logged at debug: then Fastify answers them all, and logs them.
  if (config.logLevel !== 'debug' && config.logLevel !== 'trace') {
    front = staticDocuments(documents, { closing: () => closing, ...(metrics !== undefined && { observe: (route, method, status, seconds) => metrics.observe(route, method, status, seconds) }) });
  }
  if (config.registration !== 'off') registrationRoutes(app, deps); // RFC 7591 §3: absent when off
  const { token, introspection, revocation } = ENDPOINT_PATHS;
  const url = (path: string): string => endpointUrl(config.issuer, path);
  tokenRoute(app, token, url(token), createTokenEndpoint(grants, protocol), () => nextServerNonce(protocol), metrics === undefined ? undefined : (grantType, response) => metrics.observeTokensIssued(grantType, response));
  introspectionRoute(app, introspection, url(introspection), createIntrospectionEndpoint(protocol));
  revocationRoute(app, revocation, url(revocation), createRevocationEndpoint(protocol));
  // Cookies only where pages use them (the session, the interaction, CSRF): @fastify/cookie's two hooks then run on
  // those routes only, not on every token, introspection and discovery request (issue #10 §2).
  app.register(async (pages) => {
    await pages.register(cookie);
    authorizationRoutes(pages, protocol, theme, render);
  });
  healthRoutes(app, {
    async check() {
      const database = await storage.ping().then(() => 'ok' as const, () => 'failing' as const);
      const signingKeys = keys.hasKeys ? ('ok' as const) : ('failing' as const);
      return { ready: database === 'ok' && signingKeys === 'ok', checks: { database, signingKeys } };
    },
  });
  return app;
}

/** The authorization endpoint, PAR, the interaction pages (login, account chooser, consent), UserInfo, the device flow, and the pages' files. */
function authorizationRoutes(app: FastifyInstance, protocol: ProtocolDeps, theme: Theme, render: PageRenderer): void {
  const { config } = protocol;
  const cookies = cookieSettings(config.issuer);
  authorizeRoutes(app, { path: ENDPOINT_PATHS.authorization, authorize: createAuthorizationEndpoint(protocol), cookies, render });
  interactionRoutes(app, {
    steps: {
      show: (input) => showInteraction(input, protocol),
      login: (input) => submitLogin(input, protocol),
      selectAccount: (input) => submitAccountChoice(input, protocol),
      consent: (input) => submitConsent(input, protocol),
    },
    cookies,
    render,
  });
  const par = ENDPOINT_PATHS.pushedAuthorizationRequest;
  pushedAuthorizationRequestRoute(app, { path: par, endpointUrl: endpointUrl(config.issuer, par), push: createPushedAuthorizationRequestEndpoint(protocol) });
  userInfoRoutes(app, ENDPOINT_PATHS.userinfo, createUserInfoEndpoint(protocol));
  logoutRoutes(app, { path: END_SESSION_PATH, request: (input) => requestLogout(input, protocol), confirm: (input) => confirmLogout(input, protocol), cookies, render });
  accountRoutes(app, {
    show: (input) => showAccount(input, protocol),
    revokeApp: (input) => revokeApp(input, protocol),
    signOutEverywhere: (input) => signOutEverywhere(input, protocol),
    changePassword: (input) => changePassword(input, protocol),
    cookies,
    render,
  });
  const device = ENDPOINT_PATHS.deviceAuthorization;
  deviceRoutes(app, {
    authorizationPath: device,
    authorizationEndpointUrl: endpointUrl(config.issuer, device),
    authorize: createDeviceAuthorizationEndpoint(protocol),
    verificationPath: VERIFICATION_PATH,
    entryPage: deviceEntryPage,
    submitUserCode: (input) => submitUserCode(input, protocol),
    newCsrfToken: () => protocol.random.token(),
    cookies,
    render,
  });
  uiAssetRoutes(app, [
    { path: ASSET_PATHS.stylesheet, contentType: 'text/css; charset=utf-8', body: renderStylesheet(theme) },
    { path: ASSET_PATHS.formPostScript, contentType: 'text/javascript; charset=utf-8', body: FORM_POST_SCRIPT },
  ]);
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
  /** The admin API's URL, when LATCHKEY_ADMIN_PORT is set. */
  readonly adminUrl?: string;
  readonly createdMasterKey: boolean;
  close(): Promise<void>;
}

/** Opens storage (migrating it), loads or creates keys, and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const master = loadMasterKey(config);
  const storage = await openStorage(config.databaseUrl, { poolSize: config.databasePoolSize, clientCacheTtlMs: CLIENT_CACHE_TTL_MS });
  try {
    const keys = new KeyRing({
      store: storage.signingKeys,
      masterKey: master.key,
      clock,
      prePublicationMs: config.keys.prePublicationSeconds * 1000,
      retentionMs: config.keys.retentionSeconds * 1000,
      refreshMs: config.keys.refreshSeconds * 1000,
    });
    await keys.ensureKeys([config.keys.accessTokenAlg, config.keys.idTokenAlg, 'RS256']); // OIDC Core §15.1: RS256 is always offered for id_tokens
    const clientJwks = createClientJwksSource({ clock, ...outboundPolicy(config), allowLoopbackHttp: config.clients.allowLoopbackJwksUri });
    const metrics = new ServerMetrics({ databasePool: storage.poolStats });
    const deps: AppDeps = { config, storage, keys, clock, random, masterKey: master.key, clientJwks, metrics };
    const app = buildApp(deps);
    if (config.legacyGrants.implicit) app.log.warn('LATCHKEY_IMPLICIT_GRANT is on: the implicit grant (RFC 6749 section 4.2) is deprecated by RFC 9700 section 2.1.2');
    if (config.legacyGrants.password) app.log.warn('LATCHKEY_PASSWORD_GRANT is on: the password grant (RFC 6749 section 4.3) MUST NOT be used (RFC 9700 section 2.4)');
    if (config.clients.allowLoopbackJwksUri) app.log.warn('LATCHKEY_ALLOW_LOOPBACK_JWKS_URI is on: client keys may be fetched over plain http from loopback');
    const address = await app.listen({ host: config.host, port: config.port });
    const gc = scheduleGarbageCollection({
      sweepers: expirySweepers(storage, { clock, random, idleMs: config.sessions.idleSeconds * 1000 }),
      now: () => clock.now(),
      intervalMs: config.gc.intervalSeconds * 1000,
      batchSize: config.gc.batchSize,
      onCollected: (deleted) => app.log.debug({ deleted }, 'expired rows deleted'),
      onError: (error) => app.log.warn({ err: error }, 'clean-up of expired rows failed; retrying next interval'),
    });
    if (config.backchannelLogout.allowLoopback) app.log.warn('LATCHKEY_BACKCHANNEL_ALLOW_LOOPBACK is on: back-channel logout may be sent over plain http to loopback');
    const backchannel = scheduleBackchannelDelivery(
      { config, storage, keys, clock, random, send: (uri, form, timeoutMs) => postForm(uri, form, { ...backchannelPolicy(config), timeoutMs }) },
      {
        onOutcome: ({ notification, result, error }) =>
          result === 'delivered'
            ? app.log.info({ clientId: notification.clientId, notification: notification.id }, 'back-channel logout delivered')
            : app.log.warn({ clientId: notification.clientId, notification: notification.id, attempts: notification.attempts + 1, result, error }, 'back-channel logout not delivered'),
        onError: (error) => app.log.warn({ err: error }, 'back-channel logout delivery failed; retrying next interval'),
      },
    );
    const port = new URL(address).port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    let admin: { app: FastifyInstance; url: string } | undefined;
    const scrape = metricsSource(() => metrics.collect()); // under --workers, the whole cluster's (cluster-metrics.ts)
    if (config.adminPort !== undefined) {
      try {
        const adminApp = buildAdminApp({ ...deps, scrape });
        const adminAddress = await adminApp.listen({ host: config.adminHost, port: config.adminPort });
        admin = { app: adminApp, url: adminAddress };
      } catch (error) {
        scrape.stop();
        metrics.close();
        await backchannel.stop();
        await gc.stop();
        await app.close();
        throw error;
      }
    }
    return {
      app,
      deps,
      url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
      ...(admin !== undefined && { adminUrl: admin.url }),
      createdMasterKey: master.created,
      async close() {
        await backchannel.stop();
        await gc.stop();
        await Promise.all([app.close(), admin?.app.close()]);
        scrape.stop();
        metrics.close();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
}
