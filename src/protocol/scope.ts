// Scope strings: RFC 6749 §3.3. A space-delimited set of NQCHAR tokens; order carries no meaning.
import { invalidScope } from './errors.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Parses a scope parameter into a de-duplicated list; malformed tokens are `invalid_scope`. */
export function parseScope(value: string | undefined): string[] {
  if (value === undefined) return [];
  const tokens = value.split(' ').filter((token) => token !== '');
  for (const token of tokens) if (!SCOPE_TOKEN.test(token)) throw invalidScope('scope contains an invalid character');
  return [...new Set(tokens)];
}

export const formatScope = (scopes: readonly string[]): string => scopes.join(' ');
