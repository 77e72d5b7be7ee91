// Hashing of high-entropy secrets at rest (DESIGN.md "Secrets at rest"): they are 256-bit random,
// so one SHA-256 is safe and a slow hash would only cost throughput.
import { hash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret, base64url: the form in which tokens, codes and client secrets are stored. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'base64url'); // one-shot: half the cost of createHash().update().digest()
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left); // keep the work comparable when lengths differ
    return false;
  }
  return timingSafeEqual(left, right);
}
