// The benchmark's peer: node-oidc-provider 9 configured like Latchkey for the measured scenarios (in-memory adapter,
// client_credentials, introspection, revocation; opaque access tokens, or RFC 9068 JWTs through resource indicators;
// the authorization code flow with PKCE S256, remembered grants, RS256 id_tokens and refresh token rotation).
// Clients come from LATCHKEY_BENCH_PEER_CLIENTS (JSON metadata); the harness creates the same clients on both servers.
// The login and consent pages are a tiny interaction handler below (HTML forms the browserless script fills in).
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { URL, URLSearchParams } from 'node:url';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.LATCHKEY_BENCH_PEER_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.LATCHKEY_BENCH_PEER_CLIENTS ?? '[]');
// The one bench user: { username, password, email }.
const user = JSON.parse(process.env.LATCHKEY_BENCH_PEER_USER ?? '{"username":"bench-user","password":"bench-password-0123456789","email":"bench@example.com"}');
const ACCOUNT_ID = 'bench-user-sub';

const jwk = (alg, pair) => ({ ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg}-bench` });
const keys = [
  jwk('RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })), // first: the id_token key (RS256, as Latchkey)
  jwk('ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })),
];

// Resource indicators (RFC 8707) are how node-oidc-provider issues JWT access tokens; the alg follows the resource.
const RESOURCES = { 'urn:bench:es256': 'ES256', 'urn:bench:rs256': 'RS256' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'api'],
  // OIDC Core §5.4, as Latchkey's standard claims (only what the bench user has).
  claims: { openid: ['sub'], profile: ['preferred_username', 'updated_at'], email: ['email', 'email_verified'] },
  findAccount: async (_ctx, sub) => (sub === ACCOUNT_ID
    ? { accountId: sub, claims: async () => ({ sub, preferred_username: user.username, email: user.email, email_verified: false, updated_at: 0 }) }
    : undefined),
  // The login and consent prompts redirect here; the handler below answers (see `interaction`).
  interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The default, spelled out: a repeated /auth in the same session finds the grant it consented to, so it returns a
  // code without interaction (Latchkey's remembered consent).
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
  pkce: { required: () => true }, // RFC 7636, S256 (the only method v9 accepts), as Latchkey requires of every client
  rotateRefreshToken: true, // RFC 9700 §4.14.2: every refresh spends its token and returns the next (opaque), as Latchkey
  // As the Latchkey client's always_issue_refresh_token policy: node-oidc-provider drops offline_access unless
  // prompt=consent, which would defeat the remembered grant.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false, // refresh tokens outlive the browser session, as Latchkey's
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined, // no resource: an opaque access token, as Latchkey's opaque policy
      // The code exchange and refresh issue for the resource granted at /auth (a JWT) without repeating it.
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        const alg = RESOURCES[resource];
        if (alg === undefined) throw new errors.InvalidTarget();
        return { scope: 'api', audience: resource, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
      },
    },
  },
  ttl: { ClientCredentials: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600, RefreshToken: 86_400, Interaction: 600, Session: 86_400, Grant: 86_400 },
  enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'RS256'] },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`peer server_error: ${error.stack}\n`));

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><title>bench peer</title>${body}`);
};
const readForm = async (req) => {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
};
const sameSecret = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The interaction endpoints (the interaction cookie binds each to its /auth request): GET shows the prompt's form,
 * POST …/login checks the bench user's password, POST …/consent grants what the prompt lists (Grant API).
 */
async function interaction(req, res) {
  const [, , uid, action] = new URL(req.url, issuer).pathname.split('/');
  const details = await provider.interactionDetails(req, res); // throws SessionNotFound without the cookie
  if (details.uid !== uid) return page(res, 400, '<p>interaction mismatch</p>');
  const { prompt, params } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') {
      return page(res, 200, `<form method="post" action="/interaction/${escape(uid)}/login"><input name="identifier"><input name="password" type="password"><button type="submit">Sign in</button></form>`);
    }
    return page(res, 200, `<form method="post" action="/interaction/${escape(uid)}/consent"><p>${escape(params.client_id)} asks for ${escape(params.scope)}</p><button name="decision" value="allow">Allow</button><button name="decision" value="deny">Deny</button></form>`);
  }
  const form = await readForm(req);
  if (action === 'login' && prompt.name === 'login') {
    const ok = form.get('identifier') === user.username && sameSecret(form.get('password') ?? '', user.password);
    if (!ok) return page(res, 401, '<p>wrong username or password</p>');
    return provider.interactionFinished(req, res, { login: { accountId: ACCOUNT_ID } }, { mergeWithLastSubmission: false });
  }
  if (action === 'consent' && prompt.name === 'consent') {
    if (form.get('decision') !== 'allow') {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user denied the request' }, { mergeWithLastSubmission: false });
    }
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 400, '<p>unexpected interaction step</p>');
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (!req.url.startsWith('/interaction/')) return callback(req, res);
  interaction(req, res).catch((error) => {
    if (!(error instanceof errors.SessionNotFound)) process.stderr.write(`peer interaction error: ${error.stack}\n`);
    if (!res.headersSent) page(res, error instanceof errors.SessionNotFound ? 400 : 500, '<p>interaction failed</p>');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${issuer}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
