// HTTP exchanges as they went over the wire (RFC 9110 messages), recorded for the explorer's panels, with secrets
// masked: client credentials entirely, tokens shortened to a recognisable prefix.
export interface WireMessage {
  /** `POST http://…/token` for a request, `200 OK` for a response. */
  readonly startLine: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export interface Exchange {
  readonly title: string;
  readonly request: WireMessage;
  /** Absent when the request never got an answer (the error says why). */
  readonly response?: WireMessage & { readonly status: number };
  readonly error?: string;
}

/** Parameters and JSON members whose values are tokens: shown shortened. */
const TOKEN_FIELDS = new Set(['access_token', 'refresh_token', 'id_token', 'token', 'code', 'code_verifier', 'id_token_hint']);
/** Values never shown at all. */
const SECRET_FIELDS = new Set(['client_secret', 'client_assertion', 'password']);

/** `abcdefgh…` plus its length: enough to tell two tokens apart, not enough to use one. */
export function shorten(value: string): string {
  return value.length <= 12 ? value : `${value.slice(0, 8)}…(${value.length} chars)`;
}

const MASK = '••••••••';

function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization') {
    const [scheme] = value.split(' ');
    return scheme === 'Basic' ? `Basic ${MASK} (base64 of client_id:client_secret)` : `${scheme} ${shorten(value.slice((scheme ?? '').length + 1))}`;
  }
  if (lower === 'cookie' || lower === 'set-cookie') return value.replace(/=([^;]+)/, `=${MASK}`);
  return value;
}

function maskForm(body: string): string {
  const params = new URLSearchParams(body);
  const parts: string[] = [];
  for (const [name, value] of params) {
    const shown = SECRET_FIELDS.has(name) ? MASK : TOKEN_FIELDS.has(name) ? shorten(value) : value;
    parts.push(`${encodeURIComponent(name)}=${SECRET_FIELDS.has(name) || TOKEN_FIELDS.has(name) ? shown : encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

function maskJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskJson);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key,
      SECRET_FIELDS.has(key) ? MASK : TOKEN_FIELDS.has(key) && typeof member === 'string' ? shorten(member) : maskJson(member),
    ]),
  );
}

/** The body as shown: forms and JSON with their secrets masked, JSON pretty-printed. */
export function maskBody(contentType: string | undefined, body: string): string {
  if (body === '') return '';
  if (contentType?.includes('application/x-www-form-urlencoded')) return maskForm(body);
  if (contentType?.includes('json')) {
    try {
      return JSON.stringify(maskJson(JSON.parse(body)), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

export function maskHeaders(headers: Iterable<readonly [string, string]>): (readonly [string, string])[] {
  return [...headers].map(([name, value]) => [name, maskHeader(name, value)] as const);
}

export interface WireRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Sent form-encoded (RFC 6749 §3.2). */
  readonly form?: Record<string, string>;
}

export interface Recorded<T> {
  readonly exchange: Exchange;
  readonly status: number;
  readonly json: T | undefined;
}

/** Sends `request` with fetch and records both messages. Headers shown are the ones the client set and the ones it received. */
export async function send<T = Record<string, unknown>>(title: string, request: WireRequest): Promise<Recorded<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  const body = request.form === undefined ? undefined : new URLSearchParams(request.form).toString();
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const url = new URL(request.url);
  const sent: WireMessage = {
    startLine: `${request.method} ${url.pathname}${url.search} HTTP/1.1`,
    // fetch also sends user-agent, accept-encoding, connection and the like: left out, they say nothing about OAuth.
    headers: maskHeaders([['host', url.host], ...Object.entries(headers), ...(body === undefined ? [] : [['content-length', String(Buffer.byteLength(body))] as const])]),
    body: maskBody(headers['content-type'], body ?? ''),
  };
  let response: Response;
  try {
    response = await fetch(url, { method: request.method, headers, ...(body !== undefined && { body }), redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    return { exchange: { title, request: sent, error: (error as Error).message }, status: 0, json: undefined };
  }
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? undefined;
  let json: T | undefined;
  if (contentType?.includes('json') && text !== '') {
    try {
      json = JSON.parse(text) as T;
    } catch {
      json = undefined;
    }
  }
  return {
    exchange: {
      title,
      request: sent,
      response: {
        status: response.status,
        startLine: `HTTP/1.1 ${response.status} ${response.statusText}`,
        headers: maskHeaders([...response.headers].filter(([name]) => name !== 'keep-alive' && name !== 'connection')),
        body: maskBody(contentType, text),
      },
    },
    status: response.status,
    json,
  };
}
