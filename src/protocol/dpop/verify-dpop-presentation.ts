// A DPoP-bound access token at a protected resource of this server (userinfo): RFC 9449 §7 (the DPoP authentication
// scheme, §7.1 errors and challenges) and §9 (resource-server nonces), over RFC 6750 §3.
import { OAuthError } from '../errors.js';
import type { DpopDeps } from './check-token-request-proof.js';
import { serverNonceCheck } from './server-nonce-check.js';
import { DPOP_SIGNING_ALGS, verifyDpopProof } from './verify-dpop-proof.js';

export interface DpopPresentation {
  /** The Authorization header's scheme as sent, e.g. `DPoP` or `Bearer` (case-insensitive, RFC 9110 §11.1). */
  readonly scheme: string;
  readonly accessToken: string;
  /** The DPoP header, when sent. */
  readonly proof?: string;
  readonly method: string;
  /** The resource's absolute URL as this server publishes it. */
  readonly url: string;
  /** The thumbprint the token is bound to (cnf.jkt), or undefined for a Bearer token. */
  readonly boundJkt?: string;
}

/** §7.1: the challenge a resource sends with a failure; the error handler answers 401 when one is attached. */
function challenge(error: OAuthError): OAuthError {
  const params = [`error="${error.code}"`, ...(error.description === undefined ? [] : [`error_description="${error.description}"`]), `algs="${DPOP_SIGNING_ALGS.join(' ')}"`];
  return new OAuthError(error.code, error.description, { cause: error, headers: { ...error.headers, 'www-authenticate': `DPoP ${params.join(', ')}` } });
}

/**
 * Checks how an access token was presented: a DPoP-bound token needs the DPoP scheme and a proof, with `ath`, by
 * the key it is bound to; a Bearer token needs neither. Throws an error carrying its WWW-Authenticate challenge
 * (and a DPoP-Nonce when a nonce is needed).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export async function verifyDpopPresentation(presentation: DpopPresentation, deps: DpopDeps): Promise<void> {
  const dpopScheme = presentation.scheme.toLowerCase() === 'dpop';
  if (presentation.boundJkt === undefined) {
    if (dpopScheme) throw challenge(new OAuthError('invalid_token', 'the access token is not DPoP-bound'));
    return;
  }
  // §7.1: a DPoP-bound token sent as a Bearer token is refused: its holder must prove the key.
  if (!dpopScheme) throw challenge(new OAuthError('invalid_token', 'the access token is DPoP-bound: use the DPoP scheme'));
  if (presentation.proof === undefined) throw challenge(new OAuthError('invalid_dpop_proof', 'a DPoP proof is required'));
  const now = deps.clock.now();
  let jkt: string;
  try {
    ({ jkt } = await verifyDpopProof(presentation.proof, {
      method: presentation.method,
      url: presentation.url,
      accessToken: presentation.accessToken,
      now,
      maxAgeSeconds: deps.config.dpop.proofMaxAgeSeconds,
      nonce: serverNonceCheck(deps, now),
      markUsed: (key, expiresAt) => deps.storage.replay.use(key, expiresAt),
    }));
  } catch (error) {
    throw error instanceof OAuthError ? challenge(error) : error;
  }
  if (jkt !== presentation.boundJkt) throw challenge(new OAuthError('invalid_dpop_proof', 'the DPoP proof key is not the one the access token is bound to'));
}
