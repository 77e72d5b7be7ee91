// Password hashing with argon2id (RFC 9106), OWASP Password Storage Cheat Sheet parameters; runs on the libuv pool.
import { hash, verify } from '@node-rs/argon2';
import { invalidRequest } from '../errors.js';

/** OWASP: argon2id with m = 19 MiB, t = 2, p = 1. */
const PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/** NIST SP 800-63B §5.1.1.2: at least 8 characters, and long passphrases must be allowed. */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;

/** Checks the password rules; throws invalid_request with a sentence a person can act on. */
export function checkPasswordRules(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw invalidRequest(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw invalidRequest(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** A PHC-format argon2id hash of `password`, computed off the event loop. */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordRules(password);
  return hash(password.normalize('NFC'), PARAMETERS);
}

// Verified against when there is no user, so an unknown account costs the same time as a wrong password.
let decoy: Promise<string> | undefined;

/**
 * Whether `password` matches `passwordHash`. With no hash (unknown user, no password set) it still does the work of a
 * verification and answers false, so timing does not tell whether an account exists.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  if (passwordHash === undefined) {
    decoy ??= hash('decoy password that matches nothing', PARAMETERS);
    await verify(await decoy, password.normalize('NFC')).catch(() => false);
    return false;
  }
  return verify(passwordHash, password.normalize('NFC')).catch(() => false);
}
