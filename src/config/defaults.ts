// Every default is the safe choice; loosening one is a visible, reviewed diff (STYLE.md "Config").
import type { Config } from './config.js';

export const DEFAULT_PORT = 9000;

export const defaults = {
  host: '0.0.0.0',
  trustProxy: false, // RFC 9700 §4.13: X-Forwarded-* are anyone's to forge unless the operator names the proxy
  port: DEFAULT_PORT,
  dataDir: './data',
  databasePoolSize: 10,
  registration: 'off', // RFC 7591 §3: open registration is an operator's explicit choice
  adminHost: '127.0.0.1', // the admin API listens on loopback unless told otherwise
  logLevel: 'info',
  keys: {
    accessTokenAlg: 'ES256',
    idTokenAlg: 'RS256', // OIDC Core §15.1: RS256 MUST be supported for id_tokens
    prePublicationSeconds: 3600,
    retentionSeconds: 86_400, // no JWT we sign lives longer than a day
    refreshSeconds: 10, // how stale a process's key list may get: a rotation elsewhere is seen within this (far under prePublicationSeconds)
  },
  shutdownTimeoutSeconds: 10,
  // Per IP and per client, per minute. Generous for real clients; a flood or a guessing run hits them. Behind a proxy
  // every client shares its IP unless Fastify's trustProxy is set, so raise perIp there.
  rateLimits: {
    registration: { perIp: 20, perClient: 0, windowSeconds: 60 }, // RFC 7591 §3: open registration invites floods
    token: { perIp: 1200, perClient: 600, windowSeconds: 60 },
    introspection: { perIp: 6000, perClient: 3000, windowSeconds: 60 }, // resource servers call it per request
    revocation: { perIp: 1200, perClient: 600, windowSeconds: 60 },
    par: { perIp: 600, perClient: 300, windowSeconds: 60 },
    login: { perIp: 30, perClient: 0, windowSeconds: 60 }, // password guessing (RFC 9700 §4.x, OWASP ASVS V2.2)
    device: { perIp: 30, perClient: 0, windowSeconds: 60 }, // RFC 8628 §5.1: user_code guessing
  },
  audit: {
    tokenIssued: 'all', // issue 9 item 8: every issuance is a security event; 'user' leaves out machine tokens
  },
  outboundAllow: [], // RFC 9700 §4.15 spirit: client-supplied URLs reach only public addresses unless allow-listed
  tokens: {
    accessTokenTtlSeconds: 600, // RFC 9700 §2.2.2 (short-lived access tokens); RFC 9068 tokens cannot be recalled
    refreshTokenIdleSeconds: 14 * 86_400, // RFC 9700 §4.14.2: expire after a period of inactivity
    refreshTokenAbsoluteSeconds: 30 * 86_400, // and after a fixed lifetime, however often rotated
    refreshReuseGraceSeconds: 0, // RFC 9700 §4.14.2: any reuse of a rotated token revokes the family
  },
  resources: [],
  gc: {
    intervalSeconds: 300,
    batchSize: 1000,
  },
  dpop: {
    proofMaxAgeSeconds: 60, // RFC 9449 §11.1: a short window bounds both replay and the jti markers kept
    requireNonce: false, // RFC 9449 §8: nonces cost a round trip; an operator turns them on for stricter freshness
    nonceLifetimeSeconds: 300,
  },
  clients: {
    secretRotationGraceSeconds: 0, // a rotated secret is usually rotated because it leaked
    allowLoopbackJwksUri: false, // RFC 7591 §2: jwks_uri is fetched over TLS
  },
  ui: {
    productName: 'Latchkey',
    logoUrl: undefined, // none: the product name stands alone
    primaryColor: '#1d4ed8', // 6.7:1 against white text (WCAG 2.1 §1.4.3 asks 4.5:1)
  },
  legacyGrants: {
    implicit: false, // RFC 9700 §2.1.2: tokens in the front channel leak; use the code flow
    password: false, // RFC 9700 §2.4: MUST NOT be used; the client sees the password
  },
  sessions: {
    idleSeconds: 30 * 60, // OWASP Session Management: idle timeouts of 15-30 minutes
    absoluteSeconds: 10 * 3600, // and an absolute limit of a working day
  },
  backchannelLogout: {
    allowLoopback: false, // never to loopback or private addresses (SSRF, RFC 9700 §4.15 spirit)
    pollMs: 1000,
    timeoutMs: 5000, // Back-Channel Logout §2.7: the OP should not wait long on an RP
    maxAttempts: 8, // 2 s, 4 s … about 4 minutes of backoff in all
  },
  authorization: {
    codeTtlSeconds: 60, // RFC 6749 §4.1.2: a maximum lifetime of 10 minutes is RECOMMENDED; one minute is plenty
    pkceRequired: 'all', // RFC 9700 §2.1.1: PKCE for every client, S256 only
    requirePushedAuthorizationRequests: false, // RFC 9126 §5: an operator's choice
    pushedRequestTtlSeconds: 60, // RFC 9126 §2.2: short-lived, expires_in "between 5 and 600 seconds"
    interactionTtlSeconds: 30 * 60,
    idTokenTtlSeconds: 600,
  },
} as const satisfies Partial<Config>;
