// Key rollover (RFC 7517 §5 JWKS; OIDC Core §10.1.1 rotation): publish before signing, keep after retiring.
import type { SigningAlg } from '../../config/config.js';
import type { SigningKeyRecord } from '../../storage/storage.js';

export interface KeySchedule {
  /** Per algorithm, the key that signs now: the newest one whose activation time has come. */
  readonly signing: ReadonlyMap<SigningAlg, SigningKeyRecord>;
  /** Keys in the JWKS: pending ones, the signing ones, and retired ones still inside the retention window. */
  readonly published: readonly SigningKeyRecord[];
  /** Keys out of the JWKS for good: safe to delete. */
  readonly expired: readonly SigningKeyRecord[];
}

/**
 * Which key signs and which keys are published at `now`. A key retires when its successor (the next key of the
 * same alg by activation time) activates, and stays published for `retentionMs` after that, so every token it
 * signed can still be verified.
 */
export function scheduleKeys(keys: readonly SigningKeyRecord[], now: number, retentionMs: number): KeySchedule {
  const byAlg = new Map<SigningAlg, SigningKeyRecord[]>();
  for (const key of keys) byAlg.set(key.alg, [...(byAlg.get(key.alg) ?? []), key]);

  const signing = new Map<SigningAlg, SigningKeyRecord>();
  const published: SigningKeyRecord[] = [];
  const expired: SigningKeyRecord[] = [];
  for (const [alg, list] of byAlg) {
    const ordered = [...list].sort((a, b) => a.activatesAt - b.activatesAt || a.createdAt - b.createdAt);
    const active = ordered.filter((key) => key.activatesAt <= now);
    const current = active.at(-1);
    if (current !== undefined) signing.set(alg, current);
    ordered.forEach((key, index) => {
      const successor = ordered.slice(index + 1).find((next) => next.activatesAt <= now);
      const retiredAt = successor?.activatesAt;
      if (retiredAt !== undefined && retiredAt + retentionMs <= now) expired.push(key);
      else published.push(key);
    });
  }
  return { signing, published, expired };
}
