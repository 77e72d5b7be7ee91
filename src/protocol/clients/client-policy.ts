// Latchkey's per-client policy (not RFC 7591 metadata): set by an administrator, never by dynamic registration.
import { invalidClientMetadata } from '../errors.js';
import type { ClientPolicy, TokenExchangePolicy } from './client.js';

/** The policy as it travels in the admin API and CLI JSON (snake_case, like the metadata beside it). */
export interface ClientPolicyWire {
  readonly access_token_format: 'jwt' | 'opaque';
  readonly access_token_ttl_seconds?: number;
  readonly refresh_token_ttl_seconds?: number;
  readonly allowed_legacy_grants: readonly ('implicit' | 'password')[];
  readonly always_issue_refresh_token?: boolean;
  readonly skip_consent?: boolean;
  readonly token_exchange?: { readonly audiences: readonly string[]; readonly scopes?: readonly string[]; readonly allow_impersonation?: boolean };
}

/** Secure defaults: RFC 9068 JWT access tokens, no legacy grant (RFC 9700 §2.1.2, §2.4). */
export const DEFAULT_CLIENT_POLICY: ClientPolicy = { accessTokenFormat: 'jwt', allowedLegacyGrants: [] };

const TTL_MAX_SECONDS = 366 * 86_400;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token

/** Validates a policy object (snake_case wire form); absent members take the defaults. */
export function validateClientPolicy(body: unknown): ClientPolicy {
  if (body === undefined || body === null) return DEFAULT_CLIENT_POLICY;
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidClientMetadata('policy: must be an object');
  const input = body as Record<string, unknown>;
  const known = new Set(['access_token_format', 'access_token_ttl_seconds', 'refresh_token_ttl_seconds', 'allowed_legacy_grants', 'always_issue_refresh_token', 'skip_consent', 'token_exchange']);
  for (const name of Object.keys(input)) {
    if (!known.has(name)) throw invalidClientMetadata(`policy.${/^[a-z_]{1,40}$/.test(name) ? name : '(unknown)'}: is not a policy setting`);
  }
  const format = input.access_token_format ?? 'jwt';
  if (format !== 'jwt' && format !== 'opaque') throw invalidClientMetadata('policy.access_token_format: must be jwt or opaque');
  const legacy = input.allowed_legacy_grants ?? [];
  if (!Array.isArray(legacy) || legacy.some((grant) => grant !== 'implicit' && grant !== 'password')) {
    throw invalidClientMetadata('policy.allowed_legacy_grants: must be a list of implicit and password');
  }
  const ttl = (name: string): number | undefined => {
    const value = input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > TTL_MAX_SECONDS) {
      throw invalidClientMetadata(`policy.${name}: must be a whole number of seconds from 1 to ${TTL_MAX_SECONDS}`);
    }
    return value;
  };
  const flag = (name: string): boolean | undefined => {
    const value = input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw invalidClientMetadata(`policy.${name}: must be true or false`);
    return value;
  };
  const accessTokenTtlSeconds = ttl('access_token_ttl_seconds');
  const refreshTokenTtlSeconds = ttl('refresh_token_ttl_seconds');
  const alwaysIssueRefreshToken = flag('always_issue_refresh_token');
  const skipConsent = flag('skip_consent');
  const tokenExchange = validateTokenExchangePolicy(input.token_exchange);
  return {
    accessTokenFormat: format,
    allowedLegacyGrants: [...new Set(legacy as ('implicit' | 'password')[])],
    ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds }),
    ...(refreshTokenTtlSeconds !== undefined && { refreshTokenTtlSeconds }),
    ...(alwaysIssueRefreshToken !== undefined && { alwaysIssueRefreshToken }),
    ...(skipConsent !== undefined && { skipConsent }),
    ...(tokenExchange !== undefined && { tokenExchange }),
  };
}

/** RFC 8693 policy: `{ audiences: [uri…], scopes?: [scope…], allow_impersonation?: boolean }`. */
function validateTokenExchangePolicy(value: unknown): TokenExchangePolicy | undefined {
  if (value === undefined || value === null) return undefined;
  const bad = (why: string) => invalidClientMetadata(`policy.token_exchange: ${why}`);
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object');
  const input = value as Record<string, unknown>;
  for (const name of Object.keys(input)) if (!['audiences', 'scopes', 'allow_impersonation'].includes(name)) throw bad('only audiences, scopes and allow_impersonation are settings');
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.length <= 50 && list.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 2000);
  if (!strings(input.audiences)) throw bad('audiences must be a list of resource URIs');
  for (const uri of input.audiences) {
    if (!URL.canParse(uri) || uri.includes('#')) throw bad('audiences must be absolute URIs without a fragment');
  }
  if (input.scopes !== undefined && !strings(input.scopes)) throw bad('scopes must be a list of scope values');
  if (input.scopes !== undefined && input.scopes.some((scope) => !SCOPE_TOKEN.test(scope))) throw bad('scopes must be scope values');
  if (input.allow_impersonation !== undefined && typeof input.allow_impersonation !== 'boolean') throw bad('allow_impersonation must be true or false');
  return {
    audiences: [...new Set(input.audiences)],
    ...(input.scopes !== undefined && { scopes: [...new Set(input.scopes as string[])] }),
    ...(input.allow_impersonation !== undefined && { allowImpersonation: input.allow_impersonation }),
  };
}

export function policyToWire(policy: ClientPolicy): ClientPolicyWire {
  return {
    access_token_format: policy.accessTokenFormat,
    ...(policy.accessTokenTtlSeconds !== undefined && { access_token_ttl_seconds: policy.accessTokenTtlSeconds }),
    ...(policy.refreshTokenTtlSeconds !== undefined && { refresh_token_ttl_seconds: policy.refreshTokenTtlSeconds }),
    allowed_legacy_grants: policy.allowedLegacyGrants,
    ...(policy.alwaysIssueRefreshToken !== undefined && { always_issue_refresh_token: policy.alwaysIssueRefreshToken }),
    ...(policy.skipConsent !== undefined && { skip_consent: policy.skipConsent }),
    ...(policy.tokenExchange !== undefined && {
      token_exchange: {
        audiences: policy.tokenExchange.audiences,
        ...(policy.tokenExchange.scopes !== undefined && { scopes: policy.tokenExchange.scopes }),
        ...(policy.tokenExchange.allowImpersonation !== undefined && { allow_impersonation: policy.tokenExchange.allowImpersonation }),
      },
    }),
  };
}
