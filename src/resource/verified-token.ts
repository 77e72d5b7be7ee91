// What either verification path (RFC 9068 JWT or RFC 7662 introspection) yields before per-route checks.

export interface VerifiedToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly subject: string;
  readonly clientId: string;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  readonly expiresAt: Date;
  /** RFC 9449 §6: cnf.jkt of a DPoP-bound token. */
  readonly jkt?: string;
}

export const parseScope = (value: unknown): string[] => (typeof value === 'string' ? value.split(' ').filter((item) => item !== '') : []);

export const parseAudience = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** RFC 7800 §3.1 / RFC 9449 §6.1: `cnf: { jkt }`; a `cnf` we cannot read is a binding we cannot honour. */
export function confirmationThumbprint(cnf: unknown): string | undefined | null {
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null) return null;
  const jkt = (cnf as { jkt?: unknown }).jkt;
  if (jkt === undefined) return null; // another confirmation method (x5t#S256, RFC 8705) this library does not check
  return typeof jkt === 'string' && jkt !== '' ? jkt : null;
}
