// Request parameters of form-encoded and query requests. RFC 6749 §3.1 and §3.2: parameters sent without a
// value are treated as omitted, and parameters MUST NOT be included more than once.
import { invalidRequest } from './errors.js';
import { checkParameterLength, checkScopeTokenCount, INPUT_LIMITS } from './limits.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/; // NUL and other controls never belong in OAuth parameters

export class Params {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** From a parsed form body or query object; a repeated parameter is `invalid_request`. */
  static from(source: unknown): Params {
    const values = new Map<string, string>();
    if (source === undefined || source === null) return new Params(values);
    if (typeof source !== 'object') throw invalidRequest('the request parameters are malformed');
    const entries = Object.entries(source as Record<string, unknown>);
    if (entries.length > INPUT_LIMITS.parameters) throw invalidRequest(`more than ${INPUT_LIMITS.parameters} parameters`);
    for (const [name, value] of entries) {
      if (name.length > INPUT_LIMITS.parameterNameLength || CONTROL.test(name) || name.includes('\ufffd')) throw invalidRequest('a parameter name is malformed');
      if (Array.isArray(value)) throw invalidRequest(`parameter ${safeName(name)} is repeated`);
      if (typeof value !== 'string') throw invalidRequest(`parameter ${safeName(name)} is malformed`);
      if (CONTROL.test(value) || value.includes('\ufffd')) throw invalidRequest(`parameter ${safeName(name)} contains invalid characters`);
      checkParameterLength(safeName(name), value);
      if (name === 'scope') checkScopeTokenCount(value);
      if (value !== '') values.set(name, value);
    }
    return new Params(values);
  }

  static of(values: Readonly<Record<string, string | undefined>>): Params {
    return new Params(new Map(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')));
  }

  optional(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw invalidRequest(`parameter ${name} is required`);
    return value;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A copy holding only the named parameters: a grant never sees what it did not declare. */
  only(names: ReadonlySet<string>): Params {
    return new Params(new Map([...this.values].filter(([name]) => names.has(name))));
  }

  /** A copy without the named parameters. */
  without(names: readonly string[]): Params {
    return new Params(new Map([...this.values].filter(([name]) => !names.includes(name))));
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  toObject(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}

/** Parameter names are echoed in descriptions; keep them to safe ASCII (RFC 6749 §5.2). */
function safeName(name: string): string {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(name) ? name : '(unnamed)';
}
