// DPoP at the token endpoint: RFC 9449 §5 (proof with the token request), §5.2 (clients that always use DPoP) and
// §8 (authorization-server nonces).
import type { Client } from '../clients/client.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidRequest } from '../errors.js';
import { serverNonceCheck } from './server-nonce-check.js';
import { verifyDpopProof } from './verify-dpop-proof.js';

export type DpopDeps = Pick<ProtocolDeps, 'config' | 'storage' | 'clock' | 'masterKey'>;

/**
 * The thumbprint the issued tokens are bound to, or undefined when the request carries no proof (Bearer tokens).
 * A client registered with `dpop_bound_access_tokens` must send one: without it the request lacks what the client
 * itself declared required, which RFC 6749 §5.2 calls invalid_request (invalid_dpop_proof is for a proof that is
 * there but wrong, §5).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export async function checkTokenRequestProof(input: { proof: string | undefined; client: Client; endpointUrl: string }, deps: DpopDeps): Promise<string | undefined> {
  if (input.proof === undefined) {
    if (input.client.metadata.dpop_bound_access_tokens === true) throw invalidRequest('this client must send a DPoP proof (dpop_bound_access_tokens)');
    return undefined;
  }
  return checkPostProof(input.proof, input.endpointUrl, deps);
}

/**
 * The key thumbprint of a valid proof for a POST to one of this server's endpoints (/token, /par), with this server's
 * nonce policy and replay markers.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export async function checkPostProof(proof: string, endpointUrl: string, deps: DpopDeps): Promise<string> {
  const now = deps.clock.now();
  const verified = await verifyDpopProof(proof, {
    method: 'POST',
    url: endpointUrl,
    now,
    maxAgeSeconds: deps.config.dpop.proofMaxAgeSeconds,
    nonce: serverNonceCheck(deps, now),
    markUsed: (key, expiresAt) => deps.storage.replay.use(key, expiresAt),
  });
  return verified.jkt;
}
