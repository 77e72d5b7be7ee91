import { describe, expect, it } from 'vitest';
import { systemRandom } from './random.js';

describe('systemRandom (RFC 9700 §4.1.1: tokens are unguessable)', () => {
  it('gives 32 bytes (256 bits) as base64url by default, and the size asked for otherwise', () => {
    expect(systemRandom.token()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(systemRandom.token(12), 'base64url')).toHaveLength(12);
    expect(Buffer.from(systemRandom.token(10_000), 'base64url')).toHaveLength(10_000); // larger than the pool
  });

  it('never hands out the same bytes twice, across many refills of its pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(systemRandom.token(32)); // 5000 × 32 bytes: ~40 refills of a 4 KiB pool
    expect(seen.size).toBe(5000);
  });

  it('draws bytes that look uniform (every byte value appears, no run of zeroes)', () => {
    const bytes = Buffer.concat(Array.from({ length: 512 }, () => Buffer.from(systemRandom.token(32), 'base64url')));
    expect(new Set(bytes).size).toBe(256);
    expect(bytes.includes(Buffer.alloc(8))).toBe(false);
  });
});
