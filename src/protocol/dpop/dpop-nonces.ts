// Server-provided DPoP nonces: RFC 9449 §8 (authorization server) and §9 (resource server). Stateless: a nonce is a
// time slot and its HMAC under a key derived from the master key, so every process issues and accepts the same ones.
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../lib/hash.js';
import type { MasterKey } from '../../lib/master-key.js';

export interface DpopNonces {
  /** A nonce valid from now for at least `lifetimeSeconds`. */
  issue(now: number): string;
  /** Whether `nonce` was issued by a process sharing the master key, no more than two lifetimes ago. */
  verify(nonce: string, now: number): boolean;
}

const NONCE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/; // §8.1: 1*NQCHAR

/**
 * Nonces over time slots of `lifetimeSeconds`: the current slot's nonce is handed out; the current and previous
 * slots' are accepted (so a nonce lives between one and two lifetimes), and the next slot's too, for processes whose
 * clocks are a little ahead.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export function createDpopNonces(secret: Uint8Array, lifetimeSeconds: number): DpopNonces {
  const periodMs = lifetimeSeconds * 1000;
  const mac = (slot: number): string => createHmac('sha256', secret).update(`dpop-nonce:${slot}`).digest('base64url').slice(0, 22); // 128 bits
  const slotOf = (now: number): number => Math.floor(now / periodMs);
  return {
    issue(now) {
      const slot = slotOf(now);
      return `${slot.toString(36)}.${mac(slot)}`;
    },
    verify(nonce, now) {
      const match = NONCE.exec(nonce);
      if (match === null) return false;
      const slot = Number.parseInt(match[1] as string, 36);
      const current = slotOf(now);
      if (slot < current - 1 || slot > current + 1) return false;
      return constantTimeEqual(match[2] as string, mac(slot));
    },
  };
}

const cache = new WeakMap<MasterKey, Map<number, DpopNonces>>();

/** The nonces of every process sharing `masterKey` (derived once per process and lifetime). */
export function dpopNoncesFor(masterKey: MasterKey, lifetimeSeconds: number): DpopNonces {
  let byLifetime = cache.get(masterKey);
  if (byLifetime === undefined) {
    byLifetime = new Map();
    cache.set(masterKey, byLifetime);
  }
  let nonces = byLifetime.get(lifetimeSeconds);
  if (nonces === undefined) {
    nonces = createDpopNonces(masterKey.deriveKey('dpop-nonce'), lifetimeSeconds);
    byLifetime.set(lifetimeSeconds, nonces);
  }
  return nonces;
}
