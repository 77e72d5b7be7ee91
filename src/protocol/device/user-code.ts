// User codes: RFC 8628 §6.1. Eight letters from an alphabet without vowels or look-alikes (20^8 ≈ 2^34.6 codes, which
// with a 10-minute lifetime and the guessing throttle of §5.1 is ample), shown as XXXX-XXXX, typed back in any case
// with or without the dash.
import type { Random } from '../../lib/random.js';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

/** A fresh user code, normalised (no dash). Rejection sampling keeps every letter equally likely. */
export function generateUserCode(random: Random): string {
  let code = '';
  while (code.length < LENGTH) {
    for (const byte of Buffer.from(random.token(16), 'base64url')) {
      if (byte >= 240) continue; // 240 = 12 × 20: larger bytes would favour the first letters
      code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
      if (code.length === LENGTH) break;
    }
  }
  return code;
}

/** What the person typed, as the stored form; undefined when it cannot be a user code. @see https://www.rfc-editor.org/rfc/rfc8628#section-6.1 */
export function normaliseUserCode(typed: string): string | undefined {
  const letters = typed.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== LENGTH) return undefined;
  for (const letter of letters) if (!USER_CODE_ALPHABET.includes(letter)) return undefined;
  return letters;
}

/** XXXX-XXXX, for display and verification_uri_complete. */
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;
