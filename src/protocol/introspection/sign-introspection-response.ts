// JWT introspection responses: RFC 9701 §5, for resource servers that want the answer signed by the AS.
import type { Config } from '../../config/config.js';
import { toEpochSeconds } from '../../lib/clock.js';
import type { KeyRing } from '../keys/key-ring.js';
import { signJwt } from '../keys/sign-jwt.js';
import type { IntrospectionResponse } from './introspect-token.js';

export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

/** RFC 9701 §6: RS256 unless the client registered otherwise; we sign with RS256 when we hold an RS256 key. */
export function introspectionSigningAlg(config: Config): Config['keys']['accessTokenAlg'] {
  return config.keys.idTokenAlg === 'RS256' || config.keys.accessTokenAlg === 'RS256' ? 'RS256' : config.keys.accessTokenAlg;
}

/**
 * The introspection response as a JWT for `audience` (the calling resource server's client_id).
 * @see https://www.rfc-editor.org/rfc/rfc9701#section-5
 */
export function signIntrospectionResponse(response: IntrospectionResponse, audience: string, now: number, deps: { config: Config; keys: KeyRing }): string {
  const claims = { iss: deps.config.issuer, aud: audience, iat: toEpochSeconds(now), token_introspection: response };
  return signJwt(claims, deps.keys.signingKey(introspectionSigningAlg(deps.config)), 'token-introspection+jwt');
}
