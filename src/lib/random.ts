// Injected randomness (STYLE.md principle 6). Secrets, codes and tokens are 256-bit (RFC 9700 §4.1.1 wants them unguessable).
import { randomBytes, randomUUID } from 'node:crypto';

export interface Random {
  /** `bytes` random bytes as base64url: 32 bytes (256 bits) by default. */
  token(bytes?: number): string;
  /** A random identifier (UUID v4), for records whose id is not a secret. */
  id(): string;
}

export const systemRandom: Random = {
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  id: () => randomUUID(),
};
