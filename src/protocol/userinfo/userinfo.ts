// The UserInfo endpoint: OIDC Core §5.3, the claims the access token's scopes release (§5.4), bearer tokens per
// RFC 6750 §2.1-§2.2 and errors with WWW-Authenticate per RFC 6750 §3.
import type { ProtocolDeps } from '../deps.js';
import { endpointUrl, ENDPOINT_PATHS } from '../discovery/server-metadata.js';
import { verifyDpopPresentation } from '../dpop/verify-dpop-presentation.js';
import { OAuthError } from '../errors.js';
import { findToken } from '../tokens/find-token.js';
import { claimsForScope } from '../users/standard-claims.js';

export interface UserInfoInput {
  readonly authorization?: string;
  /** RFC 9449 §7: the DPoP header and the request method, for a DPoP-bound token. */
  readonly dpop?: string;
  readonly method?: string;
  /** The form body of a POST (RFC 6750 §2.2 access_token). */
  readonly body?: unknown;
}

export type UserInfoEndpoint = (input: UserInfoInput) => Promise<Record<string, unknown>>;

const REALM = 'realm="latchkey"';

/** RFC 6750 §3: the challenge, with the error code once a token was presented. */
function bearerError(code: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string, extra = ''): OAuthError {
  const challenge = `Bearer ${REALM}, error="${code}", error_description="${description}"${extra}`;
  return new OAuthError(code, description, { headers: { 'www-authenticate': challenge } });
}

/** RFC 6750 §3.1: a request without any token gets the bare challenge and no error code in it. */
const noToken = (): OAuthError => new OAuthError('invalid_token', 'an access token is required', { headers: { 'www-authenticate': `Bearer ${REALM}` } });

function presentedToken(input: UserInfoInput): { scheme: string; token: string } | undefined {
  const header = input.authorization;
  const body = typeof input.body === 'object' && input.body !== null ? (input.body as Record<string, unknown>) : {};
  const fromBody = body.access_token;
  if (header !== undefined && fromBody !== undefined) throw bearerError('invalid_request', 'use one way to send the access token'); // §2
  if (fromBody !== undefined) {
    if (typeof fromBody !== 'string' || fromBody === '') throw bearerError('invalid_request', 'the access_token parameter is malformed');
    return { scheme: 'Bearer', token: fromBody };
  }
  if (header === undefined) return undefined;
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header); // §2.1 b64token; RFC 9449 §7.1 DPoP
  if (match === null) {
    if (/^(bearer|dpop)/i.test(header)) throw bearerError('invalid_request', 'the Authorization header is malformed');
    return undefined; // another scheme: as if no bearer token was sent
  }
  return { scheme: match[1] as string, token: match[2] as string };
}

/** @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo */
export function createUserInfoEndpoint(deps: ProtocolDeps): UserInfoEndpoint {
  return async (input) => {
    const presented = presentedToken(input);
    if (presented === undefined) throw noToken();
    const { token } = presented;
    const found = await findToken(token, 'access_token', deps);
    const now = deps.clock.now();
    if (found?.kind !== 'access_token') throw bearerError('invalid_token', 'the access token is invalid');
    const record = found.record;
    if (record.revokedAt !== undefined || record.expiresAt <= now) throw bearerError('invalid_token', 'the access token is expired or revoked');
    // RFC 9449 §7: a bound token needs the DPoP scheme and a proof by its key; a Bearer token must not claim DPoP.
    await verifyDpopPresentation(
      {
        scheme: presented.scheme,
        accessToken: token,
        method: input.method ?? 'GET',
        url: endpointUrl(deps.config.issuer, ENDPOINT_PATHS.userinfo),
        ...(input.dpop !== undefined && { proof: input.dpop }),
        ...(record.dpopJkt !== undefined && { boundJkt: record.dpopJkt }),
      },
      deps,
    );
    // The token must be meant for this server, not only for another resource (RFC 8707 §2).
    if (!record.audience.includes(deps.config.issuer) && !record.audience.includes(deps.config.defaultAudience)) {
      throw bearerError('invalid_token', 'the access token is not meant for the UserInfo endpoint');
    }
    if (record.subject === undefined || !record.scope.includes('openid')) {
      throw bearerError('insufficient_scope', 'the access token does not have the openid scope', ', scope="openid"');
    }
    const user = await deps.storage.users.find(record.subject);
    if (user === undefined || user.disabled) throw bearerError('invalid_token', 'the access token is invalid');
    return { sub: user.sub, ...claimsForScope(user, record.scope) };
  };
}
