// The audience of one token at the token endpoint: RFC 8707 §2.2.
import type { Config } from '../../config/config.js';
import { OAuthError } from '../errors.js';
import { resolveResources } from './resolve-resources.js';

/**
 * The resources one token is for. A requested `resource` must be configured and, when the grant named resources,
 * one of them (RFC 8707 §2.2: a token request may only narrow the grant's audience). Without one, the token is for
 * all the grant's resources (none: the default audience). The token endpoint takes one `resource` per request:
 * a repeated parameter is refused like any other (RFC 6749 §3.2), so each token has the audience it asked for.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2
 */
export function selectTokenResources(requested: string | undefined, granted: readonly string[], config: Pick<Config, 'resources'>): readonly string[] {
  if (requested === undefined) return granted;
  const [resource] = resolveResources([requested], config) as [string];
  if (granted.length > 0 && !granted.includes(resource)) throw new OAuthError('invalid_target', 'the resource was not part of the authorization grant');
  return [resource];
}
