// What an access token looks like for its audience: RFC 8707 §2 (audience), RFC 9068 (format), RFC 6749 §3.3 (scope).
import type { Config } from '../../config/config.js';
import type { AccessTokenFormat, Client } from '../clients/client.js';
import { OAuthError } from '../errors.js';
import { findResource } from '../resource-indicators/resolve-resources.js';

export interface AccessTokenPolicy {
  readonly audience: readonly string[];
  readonly format: AccessTokenFormat;
  readonly ttlSeconds: number;
  /** The requested scopes the audience accepts. */
  readonly scope: readonly string[];
}

/**
 * The format, lifetime and scope of an access token for `resources` (empty: the default audience).
 * A resource's format wins over the client's (the resource is what must read the token); its lifetime caps the
 * client's or server's; a resource that lists its scopes only gets those (RFC 8707 §2: audience-restricted tokens).
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function accessTokenPolicy(client: Client, resources: readonly string[], scope: readonly string[], config: Config): AccessTokenPolicy {
  const ttlSeconds = client.policy.accessTokenTtlSeconds ?? config.tokens.accessTokenTtlSeconds;
  if (resources.length === 0) {
    return { audience: [config.defaultAudience], format: client.policy.accessTokenFormat, ttlSeconds, scope };
  }
  const servers = resources.map((uri) => {
    const server = findResource(config, uri);
    if (server === undefined) throw new OAuthError('invalid_target', 'the resource is unknown to this server');
    return server;
  });
  const formats = new Set(servers.flatMap((server) => (server.accessTokenFormat === undefined ? [] : [server.accessTokenFormat])));
  if (formats.size > 1) throw new OAuthError('invalid_target', 'these resources take different token formats: request one resource per token');
  const [format = client.policy.accessTokenFormat] = formats;
  const accepted = servers.every((server) => server.scopes !== undefined) ? new Set(servers.flatMap((server) => server.scopes ?? [])) : undefined;
  return {
    audience: resources,
    format,
    ttlSeconds: Math.min(ttlSeconds, ...servers.map((server) => server.accessTokenTtlSeconds ?? ttlSeconds)),
    scope: accepted === undefined ? scope : scope.filter((item) => accepted.has(item)),
  };
}
