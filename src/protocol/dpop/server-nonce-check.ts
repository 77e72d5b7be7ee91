// This server's DPoP nonce policy (RFC 9449 §8, §9): nonces from the master key, required when the operator says so.
import type { ProtocolDeps } from '../deps.js';
import { dpopNoncesFor } from './dpop-nonces.js';
import type { DpopNonceCheck } from './verify-dpop-proof.js';

/**
 * §8: "the authorization server MAY supply a new nonce value … in successful responses" — a fresh nonce for a
 * successful response to a DPoP request when nonces are required (so the client need not fail once to learn the next).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export function nextServerNonce(deps: Pick<ProtocolDeps, 'config' | 'masterKey' | 'clock'>): string | undefined {
  if (!deps.config.dpop.requireNonce) return undefined;
  return dpopNoncesFor(deps.masterKey, deps.config.dpop.nonceLifetimeSeconds).issue(deps.clock.now());
}

/** @see https://www.rfc-editor.org/rfc/rfc9449#section-8 */
export function serverNonceCheck(deps: Pick<ProtocolDeps, 'config' | 'masterKey'>, now: number): DpopNonceCheck {
  const nonces = dpopNoncesFor(deps.masterKey, deps.config.dpop.nonceLifetimeSeconds);
  return {
    required: deps.config.dpop.requireNonce,
    valid: (nonce) => nonces.verify(nonce, now),
    fresh: () => nonces.issue(now),
  };
}
