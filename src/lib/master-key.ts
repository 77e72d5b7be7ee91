// Encryption at rest with the master key: AES-256-GCM (NIST SP 800-38D), 96-bit random IV, 128-bit tag.
// Used for signing keys and for client secrets that client_secret_jwt needs as HMAC keys.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class MasterKey {
  private constructor(private readonly key: Buffer) {}

  /** Accepts 32 bytes as base64url, base64 or 64 hex characters. */
  static parse(text: string): MasterKey {
    const trimmed = text.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== 32) throw new Error('the master key must be 32 bytes (base64url, base64 or 64 hex characters)');
    return new MasterKey(key);
  }

  static generate(): { key: MasterKey; encoded: string } {
    const raw = randomBytes(32);
    return { key: new MasterKey(raw), encoded: raw.toString('base64url') };
  }

  /** Encrypts `plaintext`; `context` (e.g. a key id) is bound as additional data so ciphertexts cannot be swapped. */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** A 256-bit key for one `purpose` (e.g. DPoP nonces), by HKDF-SHA256 (RFC 5869): the master key itself is never used twice. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `latchkey:${purpose}`, 32));
  }

  decrypt(sealed: string, context: string): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || iv === undefined || body === undefined || tag === undefined) {
      throw new Error('sealed value has an unknown format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
