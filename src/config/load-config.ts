// Builds the Config from flags > environment > config file > defaults, and validates every value at start.
// Each bad value becomes one ConfigError line naming the setting and what is allowed.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { contrastRatio, parseHexColor } from '../lib/color-contrast.js';
import { parseOutboundAllowList } from '../lib/outbound/address-policy.js';
import type { AuditTokenIssued, Config, LogLevel, PkceRequirement, RateLimitedEndpoint, RateLimitRule, RegistrationMode, SigningAlg } from './config.js';
import { defaults } from './defaults.js';
import { parseResources, parseResourceUri } from './parse-resources.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface Setting<T> {
  /** Key in the config file, and the name in messages. */
  readonly key: string;
  readonly env: string;
  readonly flag: string;
  readonly parse: (raw: string) => T;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function oneOf<T extends string>(allowed: readonly T[]): (raw: string) => T {
  return (raw) => {
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    throw new Error(`must be one of ${allowed.join(', ')}`);
  };
}

function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`must be a whole number from ${min} to ${max}`);
    return Number(raw);
  };
}

/** RFC 8414 §2: the issuer is an https URL with no query or fragment. Plain http only for loopback development. */
export function parseIssuer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an absolute URL such as https://auth.example.com');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error('must use https (http is allowed only for localhost, 127.0.0.1 and [::1])');
  }
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) throw new Error('must not have a query or fragment');
  if (url.username !== '' || url.password !== '') throw new Error('must not contain credentials');
  return url.href.replace(/\/+$/, '');
}

export function parseDatabaseUrl(raw: string): string {
  if (raw.startsWith('sqlite:') && raw.length > 'sqlite:'.length) return raw;
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
      return raw;
    } catch {
      throw new Error('is not a valid postgres:// URL');
    }
  }
  throw new Error('must be sqlite:PATH or postgres://user:password@host:port/database');
}

const text = (raw: string): string => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};

const adminToken = (raw: string): string => {
  if (raw.length < 32) throw new Error('must be at least 32 characters (e.g. 32 random bytes as base64url)');
  return raw;
};

/** LATCHKEY_OUTBOUND_ALLOW: comma-separated (or a JSON array in the config file). */
const outboundAllow = (raw: string): string[] => {
  const entries: unknown = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',');
  if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== 'string')) throw new Error('must be a list of hosts, IPs and CIDR ranges');
  return parseOutboundAllowList(entries as string[]).entries as string[];
};

/** LATCHKEY_RATE_LIMITS: {"token": {"perIp": 100, "perClient": 50, "windowSeconds": 60}, …}; members merge over the defaults. */
const rateLimits = (raw: string): Record<RateLimitedEndpoint, RateLimitRule> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON object such as {"token": {"perIp": 100}}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object such as {"token": {"perIp": 100}}');
  const result: Record<string, RateLimitRule> = { ...defaults.rateLimits };
  for (const [endpoint, rule] of Object.entries(parsed)) {
    const base = (defaults.rateLimits as Record<string, RateLimitRule>)[endpoint];
    if (base === undefined || !Object.hasOwn(defaults.rateLimits, endpoint)) throw new Error(`"${endpoint}" is not one of ${Object.keys(defaults.rateLimits).join(', ')}`);
    if (typeof rule !== 'object' || rule === null) throw new Error(`"${endpoint}" must be an object`);
    const merged = { ...base };
    for (const [field, value] of Object.entries(rule as Record<string, unknown>)) {
      if (!['perIp', 'perClient', 'windowSeconds'].includes(field)) throw new Error(`"${endpoint}.${field}" is not perIp, perClient or windowSeconds`);
      const min = field === 'windowSeconds' ? 1 : 0;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 10_000_000) throw new Error(`"${endpoint}.${field}" must be a whole number from ${min}`);
      (merged as Record<string, number>)[field] = value;
    }
    result[endpoint] = merged;
  }
  return result as Record<RateLimitedEndpoint, RateLimitRule>;
};

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * LATCHKEY_TRUST_PROXY: `false` (default), a hop count, or the proxies' addresses and CIDR ranges (comma-separated, or
 * a JSON array in the config file). `true` is refused: it would take X-Forwarded-For from any client (RFC 9700 §4.13).
 */
export function parseTrustProxy(raw: string): false | number | string[] {
  const value = raw.trim();
  if (value === 'false' || value === '0') return false;
  if (value === 'true') throw new Error('must name the proxies (addresses or CIDR ranges) or a hop count; true would trust X-Forwarded-For from anyone');
  if (/^\d+$/.test(value)) return integer(1, 10)(value);
  const entries: unknown = value.startsWith('[') ? JSON.parse(value) : value.split(',');
  if (!Array.isArray(entries) || entries.length === 0 || entries.some((entry) => typeof entry !== 'string')) throw new Error('must be a list of addresses and CIDR ranges');
  return (entries as string[]).map((entry) => {
    const trimmed = entry.trim().toLowerCase();
    if (PROXY_RANGE_NAMES.has(trimmed)) return trimmed;
    const [address = '', prefix, extra] = trimmed.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))) {
      throw new Error(`"${trimmed}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal`);
    }
    return trimmed;
  });
}

const bool = (raw: string): boolean => {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error('must be true or false');
};

/** The logo is loaded by the browser: https, or http only on loopback (development). */
const logoUrl = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an absolute https URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) throw new Error('must use https');
  return url.href;
};

/** WCAG 2.1 §1.4.3: buttons show white text on the primary colour, so it must reach 4.5:1 against white. */
const primaryColor = (raw: string): string => {
  const rgb = parseHexColor(raw);
  if (rgb === undefined) throw new Error('must be a colour as #rrggbb');
  const ratio = contrastRatio(rgb, [255, 255, 255]);
  if (ratio < 4.5) throw new Error(`has a contrast of ${ratio.toFixed(2)}:1 against white text; at least 4.5:1 is needed (choose a darker colour)`);
  return raw.toLowerCase();
};

const SETTINGS = {
  issuer: { key: 'issuer', env: 'LATCHKEY_ISSUER', flag: 'issuer', parse: parseIssuer },
  host: { key: 'host', env: 'LATCHKEY_HOST', flag: 'host', parse: text },
  trustProxy: { key: 'trustProxy', env: 'LATCHKEY_TRUST_PROXY', flag: 'trust-proxy', parse: parseTrustProxy },
  port: { key: 'port', env: 'LATCHKEY_PORT', flag: 'port', parse: integer(0, 65535) },
  dataDir: { key: 'dataDir', env: 'LATCHKEY_DATA_DIR', flag: 'data-dir', parse: text },
  databaseUrl: { key: 'databaseUrl', env: 'LATCHKEY_DATABASE_URL', flag: 'database-url', parse: parseDatabaseUrl },
  databasePoolSize: { key: 'databasePoolSize', env: 'LATCHKEY_DATABASE_POOL_SIZE', flag: 'database-pool-size', parse: integer(1, 1000) },
  masterKey: { key: 'masterKey', env: 'LATCHKEY_MASTER_KEY', flag: 'master-key', parse: text },
  registration: { key: 'registration', env: 'LATCHKEY_REGISTRATION', flag: 'registration', parse: oneOf<RegistrationMode>(['off', 'token', 'open']) },
  adminHost: { key: 'adminHost', env: 'LATCHKEY_ADMIN_HOST', flag: 'admin-host', parse: text },
  adminPort: { key: 'adminPort', env: 'LATCHKEY_ADMIN_PORT', flag: 'admin-port', parse: integer(0, 65535) },
  adminToken: { key: 'adminToken', env: 'LATCHKEY_ADMIN_TOKEN', flag: 'admin-token', parse: adminToken },
  logLevel: { key: 'logLevel', env: 'LATCHKEY_LOG_LEVEL', flag: 'log-level', parse: oneOf<LogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) },
  accessTokenAlg: { key: 'keys.accessTokenAlg', env: 'LATCHKEY_ACCESS_TOKEN_ALG', flag: 'access-token-alg', parse: oneOf<SigningAlg>(['ES256', 'RS256', 'EdDSA']) },
  idTokenAlg: { key: 'keys.idTokenAlg', env: 'LATCHKEY_ID_TOKEN_ALG', flag: 'id-token-alg', parse: oneOf<SigningAlg>(['ES256', 'RS256', 'EdDSA']) },
  prePublicationSeconds: { key: 'keys.prePublicationSeconds', env: 'LATCHKEY_KEY_PREPUBLICATION_SECONDS', flag: 'key-prepublication-seconds', parse: integer(0, 30 * 86_400) },
  keyRefreshSeconds: { key: 'keys.refreshSeconds', env: 'LATCHKEY_KEY_REFRESH_SECONDS', flag: 'key-refresh-seconds', parse: integer(1, 3600) },
  retentionSeconds: { key: 'keys.retentionSeconds', env: 'LATCHKEY_KEY_RETENTION_SECONDS', flag: 'key-retention-seconds', parse: integer(60, 365 * 86_400) },
  shutdownTimeoutSeconds: { key: 'shutdownTimeoutSeconds', env: 'LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS', flag: 'shutdown-timeout-seconds', parse: integer(1, 600) },
  accessTokenTtlSeconds: { key: 'tokens.accessTokenTtlSeconds', env: 'LATCHKEY_ACCESS_TOKEN_TTL_SECONDS', flag: 'access-token-ttl-seconds', parse: integer(1, 86_400) },
  refreshTokenIdleSeconds: { key: 'tokens.refreshTokenIdleSeconds', env: 'LATCHKEY_REFRESH_TOKEN_IDLE_SECONDS', flag: 'refresh-token-idle-seconds', parse: integer(60, 400 * 86_400) },
  refreshTokenAbsoluteSeconds: { key: 'tokens.refreshTokenAbsoluteSeconds', env: 'LATCHKEY_REFRESH_TOKEN_ABSOLUTE_SECONDS', flag: 'refresh-token-absolute-seconds', parse: integer(60, 400 * 86_400) },
  refreshReuseGraceSeconds: { key: 'tokens.refreshReuseGraceSeconds', env: 'LATCHKEY_REFRESH_REUSE_GRACE_SECONDS', flag: 'refresh-reuse-grace-seconds', parse: integer(0, 60) },
  defaultAudience: { key: 'defaultAudience', env: 'LATCHKEY_DEFAULT_AUDIENCE', flag: 'default-audience', parse: parseResourceUri },
  resources: { key: 'resources', env: 'LATCHKEY_RESOURCES', flag: 'resources', parse: parseResources },
  gcIntervalSeconds: { key: 'gc.intervalSeconds', env: 'LATCHKEY_GC_INTERVAL_SECONDS', flag: 'gc-interval-seconds', parse: integer(0, 86_400) },
  gcBatchSize: { key: 'gc.batchSize', env: 'LATCHKEY_GC_BATCH_SIZE', flag: 'gc-batch-size', parse: integer(1, 100_000) },
  secretRotationGraceSeconds: { key: 'clients.secretRotationGraceSeconds', env: 'LATCHKEY_CLIENT_SECRET_GRACE_SECONDS', flag: 'client-secret-grace-seconds', parse: integer(0, 30 * 86_400) },
  dpopProofMaxAgeSeconds: { key: 'dpop.proofMaxAgeSeconds', env: 'LATCHKEY_DPOP_PROOF_MAX_AGE_SECONDS', flag: 'dpop-proof-max-age-seconds', parse: integer(5, 600) },
  dpopRequireNonce: { key: 'dpop.requireNonce', env: 'LATCHKEY_DPOP_REQUIRE_NONCE', flag: 'dpop-require-nonce', parse: oneOf(['true', 'false']) },
  dpopNonceLifetimeSeconds: { key: 'dpop.nonceLifetimeSeconds', env: 'LATCHKEY_DPOP_NONCE_LIFETIME_SECONDS', flag: 'dpop-nonce-lifetime-seconds', parse: integer(10, 86_400) },
  allowLoopbackJwksUri: { key: 'clients.allowLoopbackJwksUri', env: 'LATCHKEY_ALLOW_LOOPBACK_JWKS_URI', flag: 'allow-loopback-jwks-uri', parse: oneOf(['true', 'false']) },
  rateLimits: { key: 'rateLimits', env: 'LATCHKEY_RATE_LIMITS', flag: 'rate-limits', parse: rateLimits },
  auditTokenIssued: { key: 'audit.tokenIssued', env: 'LATCHKEY_AUDIT_TOKEN_ISSUED', flag: 'audit-token-issued', parse: oneOf<AuditTokenIssued>(['all', 'user']) },
  outboundAllow: { key: 'outboundAllow', env: 'LATCHKEY_OUTBOUND_ALLOW', flag: 'outbound-allow', parse: outboundAllow },
  productName: { key: 'ui.productName', env: 'LATCHKEY_PRODUCT_NAME', flag: 'product-name', parse: text },
  logoUrl: { key: 'ui.logoUrl', env: 'LATCHKEY_LOGO_URL', flag: 'logo-url', parse: logoUrl },
  primaryColor: { key: 'ui.primaryColor', env: 'LATCHKEY_PRIMARY_COLOR', flag: 'primary-color', parse: primaryColor },
  sessionIdleSeconds: { key: 'sessions.idleSeconds', env: 'LATCHKEY_SESSION_IDLE_SECONDS', flag: 'session-idle-seconds', parse: integer(60, 30 * 86_400) },
  sessionAbsoluteSeconds: { key: 'sessions.absoluteSeconds', env: 'LATCHKEY_SESSION_ABSOLUTE_SECONDS', flag: 'session-absolute-seconds', parse: integer(60, 365 * 86_400) },
  backchannelAllowLoopback: { key: 'backchannelLogout.allowLoopback', env: 'LATCHKEY_BACKCHANNEL_ALLOW_LOOPBACK', flag: 'backchannel-allow-loopback', parse: oneOf(['true', 'false']) },
  backchannelPollMs: { key: 'backchannelLogout.pollMs', env: 'LATCHKEY_BACKCHANNEL_POLL_MS', flag: 'backchannel-poll-ms', parse: integer(50, 600_000) },
  backchannelTimeoutMs: { key: 'backchannelLogout.timeoutMs', env: 'LATCHKEY_BACKCHANNEL_TIMEOUT_MS', flag: 'backchannel-timeout-ms', parse: integer(100, 60_000) },
  backchannelMaxAttempts: { key: 'backchannelLogout.maxAttempts', env: 'LATCHKEY_BACKCHANNEL_MAX_ATTEMPTS', flag: 'backchannel-max-attempts', parse: integer(1, 50) },
  codeTtlSeconds: { key: 'authorization.codeTtlSeconds', env: 'LATCHKEY_CODE_TTL_SECONDS', flag: 'code-ttl-seconds', parse: integer(5, 600) },
  pkceRequired: { key: 'authorization.pkceRequired', env: 'LATCHKEY_PKCE_REQUIRED', flag: 'pkce-required', parse: oneOf<PkceRequirement>(['all', 'public']) },
  requirePar: { key: 'authorization.requirePushedAuthorizationRequests', env: 'LATCHKEY_REQUIRE_PAR', flag: 'require-par', parse: bool },
  parTtlSeconds: { key: 'authorization.pushedRequestTtlSeconds', env: 'LATCHKEY_PAR_TTL_SECONDS', flag: 'par-ttl-seconds', parse: integer(5, 600) },
  interactionTtlSeconds: { key: 'authorization.interactionTtlSeconds', env: 'LATCHKEY_INTERACTION_TTL_SECONDS', flag: 'interaction-ttl-seconds', parse: integer(60, 86_400) },
  implicitGrant: { key: 'legacyGrants.implicit', env: 'LATCHKEY_IMPLICIT_GRANT', flag: 'implicit-grant', parse: bool },
  passwordGrant: { key: 'legacyGrants.password', env: 'LATCHKEY_PASSWORD_GRANT', flag: 'password-grant', parse: bool },
  idTokenTtlSeconds: { key: 'authorization.idTokenTtlSeconds', env: 'LATCHKEY_ID_TOKEN_TTL_SECONDS', flag: 'id-token-ttl-seconds', parse: integer(60, 86_400) },
} as const satisfies Record<string, Setting<unknown>>;

type SettingName = keyof typeof SETTINGS;
type Parsed = { [K in SettingName]?: ReturnType<(typeof SETTINGS)[K]['parse']> };

/** The flag names the CLI accepts for configuration (`--issuer`, `--port`, …), plus `--config FILE`. */
export const CONFIG_FLAGS: readonly string[] = [...Object.values(SETTINGS).map((s) => s.flag), 'config'];

export interface ConfigSources {
  readonly flags?: Readonly<Record<string, string | undefined>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of an optional JSON config file; also read from --config or LATCHKEY_CONFIG. */
  readonly file?: string;
}

function readConfigFile(path: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new ConfigError(`config file ${path}: must be a JSON object`);
  }
}

function fileValue(file: Record<string, unknown>, key: string): string | undefined {
  let value: unknown = file;
  for (const part of key.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A typo in the config file is an error, not a silently ignored setting, at any depth. */
function checkFileKeys(object: Record<string, unknown>, prefix: string, filePath: string | undefined): void {
  const known: string[] = Object.values(SETTINGS).map((s) => s.key);
  for (const [key, value] of Object.entries(object)) {
    const path = `${prefix}${key}`;
    if (known.includes(path)) continue;
    const isSection = known.some((k) => k.startsWith(`${path}.`));
    if (isSection && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      checkFileKeys(value as Record<string, unknown>, `${path}.`, filePath);
    } else {
      throw new ConfigError(`config file ${filePath}: unknown setting "${path}"`);
    }
  }
}

/** @see shared/DESIGN.md "Running it" for what each default means. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const flags = sources.flags ?? {};
  const env = sources.env ?? {};
  const filePath = flags.config ?? sources.file ?? env.LATCHKEY_CONFIG;
  const file = filePath === undefined ? {} : readConfigFile(filePath);
  checkFileKeys(file, '', filePath);

  const values: Parsed = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const [raw, origin] =
      flags[setting.flag] !== undefined ? [flags[setting.flag], `--${setting.flag}`]
      : env[setting.env] !== undefined && env[setting.env] !== '' ? [env[setting.env], setting.env]
      : [fileValue(file, setting.key), `"${setting.key}" in ${filePath}`];
    if (raw === undefined) continue;
    try {
      (values as Record<string, unknown>)[name] = setting.parse(raw);
    } catch (error) {
      throw new ConfigError(`${origin}: ${(error as Error).message}`);
    }
  }

  const port = values.port ?? defaults.port;
  const dataDir = values.dataDir ?? defaults.dataDir;
  const adminPort = values.adminPort;
  if (adminPort !== undefined && values.adminToken === undefined) {
    throw new ConfigError('LATCHKEY_ADMIN_TOKEN: must be set when the admin API is on (LATCHKEY_ADMIN_PORT)');
  }
  const accessTokenTtlSeconds = values.accessTokenTtlSeconds ?? defaults.tokens.accessTokenTtlSeconds;
  const retentionSeconds = values.retentionSeconds ?? defaults.keys.retentionSeconds;
  const resources = values.resources ?? defaults.resources;
  for (const ttl of [accessTokenTtlSeconds, ...resources.map((resource) => resource.accessTokenTtlSeconds ?? 0)]) {
    // A JWT must stay verifiable for its whole life, so its key stays published at least that long.
    if (ttl > retentionSeconds) throw new ConfigError(`access token lifetime ${ttl} s: must not exceed keys.retentionSeconds (${retentionSeconds} s)`);
  }
  const issuer = values.issuer ?? `http://localhost:${port === 0 ? defaults.port : port}`;
  return {
    issuer,
    host: values.host ?? defaults.host,
    trustProxy: values.trustProxy ?? defaults.trustProxy,
    port,
    dataDir,
    databaseUrl: values.databaseUrl ?? `sqlite:${join(dataDir, 'latchkey.db')}`,
    databasePoolSize: values.databasePoolSize ?? defaults.databasePoolSize,
    masterKey: values.masterKey,
    registration: values.registration ?? defaults.registration,
    adminHost: values.adminHost ?? defaults.adminHost,
    adminPort,
    adminToken: values.adminToken,
    logLevel: values.logLevel ?? defaults.logLevel,
    keys: {
      accessTokenAlg: values.accessTokenAlg ?? defaults.keys.accessTokenAlg,
      idTokenAlg: values.idTokenAlg ?? defaults.keys.idTokenAlg,
      prePublicationSeconds: values.prePublicationSeconds ?? defaults.keys.prePublicationSeconds,
      retentionSeconds,
      refreshSeconds: values.keyRefreshSeconds ?? defaults.keys.refreshSeconds,
    },
    shutdownTimeoutSeconds: values.shutdownTimeoutSeconds ?? defaults.shutdownTimeoutSeconds,
    audit: { tokenIssued: values.auditTokenIssued ?? defaults.audit.tokenIssued },
    outboundAllow: values.outboundAllow ?? defaults.outboundAllow,
    rateLimits: values.rateLimits ?? defaults.rateLimits,
    tokens: {
      accessTokenTtlSeconds,
      refreshTokenIdleSeconds: values.refreshTokenIdleSeconds ?? defaults.tokens.refreshTokenIdleSeconds,
      refreshTokenAbsoluteSeconds: values.refreshTokenAbsoluteSeconds ?? defaults.tokens.refreshTokenAbsoluteSeconds,
      refreshReuseGraceSeconds: values.refreshReuseGraceSeconds ?? defaults.tokens.refreshReuseGraceSeconds,
    },
    defaultAudience: values.defaultAudience ?? issuer,
    resources,
    gc: {
      intervalSeconds: values.gcIntervalSeconds ?? defaults.gc.intervalSeconds,
      batchSize: values.gcBatchSize ?? defaults.gc.batchSize,
    },
    dpop: {
      proofMaxAgeSeconds: values.dpopProofMaxAgeSeconds ?? defaults.dpop.proofMaxAgeSeconds,
      requireNonce: values.dpopRequireNonce === undefined ? defaults.dpop.requireNonce : values.dpopRequireNonce === 'true',
      nonceLifetimeSeconds: values.dpopNonceLifetimeSeconds ?? defaults.dpop.nonceLifetimeSeconds,
    },
    clients: {
      secretRotationGraceSeconds: values.secretRotationGraceSeconds ?? defaults.clients.secretRotationGraceSeconds,
      allowLoopbackJwksUri: values.allowLoopbackJwksUri === undefined ? defaults.clients.allowLoopbackJwksUri : values.allowLoopbackJwksUri === 'true',
    },
    ui: {
      productName: values.productName ?? defaults.ui.productName,
      logoUrl: values.logoUrl,
      primaryColor: values.primaryColor ?? defaults.ui.primaryColor,
    },
    legacyGrants: {
      implicit: values.implicitGrant ?? defaults.legacyGrants.implicit,
      password: values.passwordGrant ?? defaults.legacyGrants.password,
    },
    sessions: sessionLifetimes(values.sessionIdleSeconds ?? defaults.sessions.idleSeconds, values.sessionAbsoluteSeconds ?? defaults.sessions.absoluteSeconds),
    backchannelLogout: {
      allowLoopback: values.backchannelAllowLoopback === undefined ? defaults.backchannelLogout.allowLoopback : values.backchannelAllowLoopback === 'true',
      pollMs: values.backchannelPollMs ?? defaults.backchannelLogout.pollMs,
      timeoutMs: values.backchannelTimeoutMs ?? defaults.backchannelLogout.timeoutMs,
      maxAttempts: values.backchannelMaxAttempts ?? defaults.backchannelLogout.maxAttempts,
    },
    authorization: {
      codeTtlSeconds: values.codeTtlSeconds ?? defaults.authorization.codeTtlSeconds,
      pkceRequired: values.pkceRequired ?? defaults.authorization.pkceRequired,
      requirePushedAuthorizationRequests: values.requirePar ?? defaults.authorization.requirePushedAuthorizationRequests,
      pushedRequestTtlSeconds: values.parTtlSeconds ?? defaults.authorization.pushedRequestTtlSeconds,
      interactionTtlSeconds: values.interactionTtlSeconds ?? defaults.authorization.interactionTtlSeconds,
      idTokenTtlSeconds: values.idTokenTtlSeconds ?? defaults.authorization.idTokenTtlSeconds,
    },
  };
}

function sessionLifetimes(idleSeconds: number, absoluteSeconds: number): Config['sessions'] {
  if (idleSeconds > absoluteSeconds) throw new ConfigError('LATCHKEY_SESSION_IDLE_SECONDS: must not exceed LATCHKEY_SESSION_ABSOLUTE_SECONDS');
  return { idleSeconds, absoluteSeconds };
}
