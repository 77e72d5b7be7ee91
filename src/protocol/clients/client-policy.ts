// Latchkey's per-client policy (not RFC 7591 metadata): set by an administrator, never by dynamic registration.
import { invalidClientMetadata } from '../errors.js';
import type { ClientPolicy } from './client.js';

/** The policy as it travels in the admin API and CLI JSON (snake_case, like the metadata beside it). */
export interface ClientPolicyWire {
  readonly access_token_format: 'jwt' | 'opaque';
  readonly access_token_ttl_seconds?: number;
  readonly refresh_token_ttl_seconds?: number;
  readonly allowed_legacy_grants: readonly ('implicit' | 'password')[];
  readonly always_issue_refresh_token?: boolean;
  readonly skip_consent?: boolean;
}

/** Secure defaults: RFC 9068 JWT access tokens, no legacy grant (RFC 9700 §2.1.2, §2.4). */
export const DEFAULT_CLIENT_POLICY: ClientPolicy = { accessTokenFormat: 'jwt', allowedLegacyGrants: [] };

const TTL_MAX_SECONDS = 366 * 86_400;

/** Validates a policy object (snake_case wire form); absent members take the defaults. */
export function validateClientPolicy(body: unknown): ClientPolicy {
  if (body === undefined || body === null) return DEFAULT_CLIENT_POLICY;
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidClientMetadata('policy: must be an object');
  const input = body as Record<string, unknown>;
  const known = new Set(['access_token_format', 'access_token_ttl_seconds', 'refresh_token_ttl_seconds', 'allowed_legacy_grants', 'always_issue_refresh_token', 'skip_consent']);
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
  return {
    accessTokenFormat: format,
    allowedLegacyGrants: [...new Set(legacy as ('implicit' | 'password')[])],
    ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds }),
    ...(refreshTokenTtlSeconds !== undefined && { refreshTokenTtlSeconds }),
    ...(alwaysIssueRefreshToken !== undefined && { alwaysIssueRefreshToken }),
    ...(skipConsent !== undefined && { skipConsent }),
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
  };
}
