// Resource indicators: RFC 8707 §2. Only configured resources can become an audience; anything else is invalid_target.
import type { Config, ResourceServerConfig } from '../../config/config.js';
import { OAuthError } from '../errors.js';

const indexes = new WeakMap<readonly ResourceServerConfig[], ReadonlyMap<string, ResourceServerConfig>>();

/** The configured resource named `uri` (exact match, RFC 8707 §2 compares URIs as given). */
export function findResource(config: Pick<Config, 'resources'>, uri: string): ResourceServerConfig | undefined {
  let index = indexes.get(config.resources);
  if (index === undefined) {
    index = new Map(config.resources.map((resource) => [resource.uri, resource]));
    indexes.set(config.resources, index);
  }
  return index.get(uri);
}

/**
 * Checks the `resource` values of an authorization or token request (RFC 8707 §2) and returns them de-duplicated.
 * Call it at /authorize with every `resource` value, and keep the result as the grant's resources.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function resolveResources(requested: readonly string[], config: Pick<Config, 'resources'>): string[] {
  for (const uri of requested) {
    if (findResource(config, uri) === undefined) throw new OAuthError('invalid_target', 'the resource is unknown to this server');
  }
  return [...new Set(requested)];
}
