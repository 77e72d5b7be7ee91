// Reading the access token from a request: RFC 6750 §2.1 (Authorization: Bearer) and RFC 9449 §7.1 (Authorization: DPoP).
import type { AuthScheme } from './resource-error.js';

/** Request headers as Node (IncomingHttpHeaders) or the Fetch API (Headers) gives them. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the verifier needs from any framework's request. */
export interface ResourceRequest {
  readonly method: string;
  /** The absolute URL as the client addressed it (the DPoP `htu`, RFC 9449 §4.3). */
  readonly url: string;
  readonly headers: HeaderSource;
}

/** All values of one header; Node joins repeated unknown headers with ", ". */
export function headerValues(headers: HeaderSource, name: string): string[] {
  if (typeof (headers as Headers).get === 'function') {
    const value = (headers as Headers).get(name);
    return value === null ? [] : [value];
  }
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly scheme: AuthScheme; readonly why: string }
  | { readonly kind: 'token'; readonly scheme: AuthScheme; readonly token: string };

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/; // RFC 6750 §2.1 b64token

/**
 * The access token and how it was sent. An Authorization header with another scheme (Basic, say) counts as no
 * credentials (RFC 6750 §3.1: no error code for an unsupported method). Only the header is read: tokens in query
 * strings end up in logs (RFC 6750 §2.3, RFC 9700 §2.5), and form bodies are rare enough to leave out.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function readCredentials(headers: HeaderSource, schemes: readonly AuthScheme[]): Credentials {
  const values = headerValues(headers, 'authorization');
  if (values.length === 0) return { kind: 'none' };
  const [value = ''] = values;
  const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?: +(.*))?$/.exec(value.trim());
  const scheme = schemes.find((name) => name.toLowerCase() === match?.[1]?.toLowerCase());
  if (match === null || scheme === undefined) return { kind: 'none' };
  if (values.length > 1) return { kind: 'malformed', scheme, why: 'more than one Authorization header' };
  const token = match[2]?.trim() ?? '';
  if (token === '') return { kind: 'malformed', scheme, why: 'the Authorization header carries no token' };
  if (!TOKEN68.test(token)) return { kind: 'malformed', scheme, why: 'the access token is not a valid b64token' };
  return { kind: 'token', scheme, token };
}
