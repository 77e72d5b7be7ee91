// Injected randomness (STYLE.md principle 6). Secrets, codes and tokens are 256-bit (RFC 9700 §4.1.1 wants them unguessable).
import { randomFillSync, randomUUID } from 'node:crypto';

export interface Random {
  /** `bytes` random bytes as base64url: 32 bytes (256 bits) by default. */
  token(bytes?: number): string;
  /** A random identifier (UUID v4), for records whose id is not a secret. */
  id(): string;
}

const POOL_SIZE = 4096;

/**
 * The CSPRNG's bytes, drawn a pool at a time (issue #10 §2): one `randomFillSync` call costs ~2 µs whatever its size,
 * so 32 bytes each from a 4 KiB fill cost ~0.1 µs. Each byte is handed out once and zeroed as it is taken, as Node's
 * own randomUUID pools its entropy.
 */
class RandomPool {
  private readonly pool = Buffer.alloc(POOL_SIZE);
  private offset = POOL_SIZE;

  base64url(bytes: number): string {
    if (bytes > POOL_SIZE) return randomFillSync(Buffer.alloc(bytes)).toString('base64url');
    if (this.offset + bytes > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const start = this.offset;
    this.offset += bytes;
    const value = this.pool.toString('base64url', start, this.offset);
    this.pool.fill(0, start, this.offset);
    return value;
  }
}

const pool = new RandomPool();

export const systemRandom: Random = {
  token: (bytes = 32) => pool.base64url(bytes),
  id: () => randomUUID(),
};
