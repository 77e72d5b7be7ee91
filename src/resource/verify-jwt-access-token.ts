// Validating a JWT access token at the resource: RFC 9068 §4 (typ, iss, signature, exp, alg allow-list; aud is
// checked per route by the verifier, for both token formats).
import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Rejection } from './resource-error.js';
import { confirmationThumbprint, parseAudience, parseScope, type VerifiedToken } from './verified-token.js';

export interface JwtCheckOptions {
  readonly issuer: string;
  readonly algorithms: readonly string[];
  readonly keys: JWTVerifyGetKey;
  readonly clockSkewSeconds: number;
  readonly now: number;
}

/**
 * A JWT is three dot-separated segments whose first decodes to a JOSE header; anything else is opaque
 * and goes to introspection.
 */
export function looksLikeJwt(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

const invalid = (why: string, cause?: unknown): Rejection => new Rejection('invalid_token', why, { cause });

/**
 * Checks the header before any key is looked up: `alg` must be on the allow-list (never `none`, never an HMAC
 * alg, which would let a client sign with our public key as the secret, RFC 8725 §2.1), `typ` must be at+jwt
 * (§4: so an id_token or other JWT from the same issuer is not taken for an access token).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export async function verifyJwtAccessToken(token: string, options: JwtCheckOptions): Promise<VerifiedToken> {
  const header = decodeProtectedHeader(token);
  if (typeof header.alg !== 'string' || !options.algorithms.includes(header.alg)) {
    throw invalid('the token alg is not allowed');
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== 'at+jwt' && typ !== 'application/at+jwt') throw invalid('the token is not an access token (typ must be at+jwt)');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, options.keys, {
      issuer: options.issuer,
      algorithms: [...options.algorithms],
      clockTolerance: options.clockSkewSeconds,
      currentDate: new Date(options.now),
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'client_id'], // RFC 9068 §2.2 (jti too, but it is not checked)
    }));
  } catch (error) {
    throw explain(error);
  }
  const subject = payload.sub;
  const clientId = payload.client_id;
  if (typeof subject !== 'string' || typeof clientId !== 'string' || typeof payload.exp !== 'number') {
    throw invalid('the token lacks sub, client_id or exp');
  }
  const jkt = confirmationThumbprint(payload.cnf);
  if (jkt === null) throw invalid('the token has a confirmation (cnf) this resource cannot check');
  return {
    claims: payload,
    subject,
    clientId,
    scope: parseScope(payload.scope),
    audience: parseAudience(payload.aud),
    expiresAt: new Date(payload.exp * 1000),
    ...(jkt !== undefined && { jkt }),
  };
}

/** A jose failure as a client-safe reason; failures to reach the issuer are not the token's fault and go on up. */
function explain(error: unknown): unknown {
  if (error instanceof errors.JWTExpired) return invalid('the token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reasons: Record<string, string> = {
      iss: 'the token is from another issuer',
      aud: 'the token is not meant for this resource (aud)',
      nbf: 'the token is not valid yet',
      iat: 'the token iat is invalid',
    };
    return invalid(reasons[error.claim] ?? `the token claim ${error.claim} is missing or invalid`, error);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('the token is signed with a key the issuer does not publish', error);
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalid('the token names its key ambiguously', error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('the token signature is invalid', error);
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('the token alg is not allowed', error);
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid || error instanceof errors.JOSENotSupported) {
    return invalid('the token is malformed', error);
  }
  return error; // JWKSTimeout, JWKSInvalid, network errors: the issuer is unreachable or broken
}
