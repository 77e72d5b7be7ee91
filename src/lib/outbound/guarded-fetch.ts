// Outbound HTTP requests to URLs that clients supply (jwks_uri, backchannel_logout_uri; request_uri and
// sector_identifier_uri are never fetched): issue 9 item 3, RFC 7591 §5 and RFC 9700 §4.15 on server-side request forgery.
// https only; the host is resolved here and every address checked; the connection goes to the checked address
// (DNS-rebinding safe) with SNI and Host kept; a deadline, a size cap, and no redirects.
// Lives in lib/: it is I/O plumbing with no protocol rule, usable by any protocol module below the pure core.
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressAllowed, EMPTY_ALLOW_LIST, forbiddenAddressReason, hostAllowed, isLoopbackAddress, type OutboundAllowList } from './address-policy.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Host name → every address it resolves to. Injected in tests to decide on addresses nothing connects to. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

export interface OutboundPolicy {
  /** Hosts and ranges the operator allows although they are not public (LATCHKEY_OUTBOUND_ALLOW). */
  readonly allow?: OutboundAllowList;
  /** Explicit opt-in (tests, local development): plain http to, and connections to, loopback addresses. */
  readonly allowLoopbackHttp?: boolean;
}

export interface OutboundOptions extends OutboundPolicy {
  readonly resolve?: Resolver;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly headers?: Record<string, string>;
}

export const OUTBOUND_DEFAULTS = { timeoutMs: 3000, maxBytes: 64 * 1024 } as const;

/** The request was refused or failed; `reason` is safe to show a client (it names no internal address). */
export class OutboundRequestError extends Error {
  override readonly name = 'OutboundRequestError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface OutboundTarget {
  readonly url: URL;
  /** The host without IPv6 brackets. */
  readonly host: string;
  /** The checked address the connection goes to. */
  readonly address: ResolvedAddress;
}

const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/**
 * What can be decided without DNS: scheme, credentials, and a host that is an IP literal in a forbidden range.
 * Registration uses this to refuse a jwks_uri up front; `resolveOutboundTarget` repeats it before any request.
 */
export function outboundUrlProblem(raw: string, policy: OutboundPolicy = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  const host = stripBrackets(url.hostname);
  // With the opt-in, http is for loopback only: an IP literal is checked here, a name's addresses at resolution.
  const loopbackHttp = policy.allowLoopbackHttp === true && url.protocol === 'http:' && (isIP(host) === 0 || isLoopbackAddress(host));
  if (url.protocol !== 'https:' && !loopbackHttp) return 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not contain user credentials';
  if (host === '') return 'must have a host';
  if (isIP(host) !== 0) return addressProblem(host, host, policy);
  return undefined;
}

function addressProblem(host: string, address: string, policy: OutboundPolicy): string | undefined {
  const allow = policy.allow ?? EMPTY_ALLOW_LIST;
  if (hostAllowed(allow, host) || addressAllowed(allow, address)) return undefined;
  if (policy.allowLoopbackHttp === true && isLoopbackAddress(address)) return undefined;
  const why = forbiddenAddressReason(address);
  return why === undefined ? undefined : `points at a non-public address (${why})`;
}

/**
 * Resolves the URL's host and checks every address it has (one bad answer refuses the lot: a rebinding
 * resolver may hand out a public and a private address). Connects to nothing.
 */
export async function resolveOutboundTarget(raw: string, options: OutboundOptions = {}): Promise<OutboundTarget> {
  const problem = outboundUrlProblem(raw, options);
  if (problem !== undefined) throw new OutboundRequestError(problem);
  const url = new URL(raw);
  const host = stripBrackets(url.hostname);
  const literal = isIP(host);
  let addresses: readonly ResolvedAddress[];
  if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (error) {
      throw new OutboundRequestError('host could not be resolved', { cause: error });
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new OutboundRequestError('host could not be resolved');
  for (const { address } of addresses) {
    const why = addressProblem(host, address, options);
    if (why !== undefined) throw new OutboundRequestError(`host ${why}`);
  }
  if (url.protocol === 'http:' && !addresses.every(({ address }) => isLoopbackAddress(address))) throw new OutboundRequestError('must use https');
  return { url, host, address: first };
}

/**
 * GET `raw` under the outbound policy. Resolves with any status; 3xx is not followed (the caller sees it).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.15
 */
export async function guardedGet(raw: string, options: OutboundOptions = {}): Promise<OutboundResponse> {
  return guardedRequest(raw, 'GET', undefined, options);
}

/**
 * POST `body` (form-encoded) to `raw` under the outbound policy, with the same checks as guardedGet: the back-channel
 * logout request (OIDC Back-Channel Logout 1.0 §2.5). A 3xx is a failure, never followed.
 */
export async function guardedPostForm(raw: string, form: Readonly<Record<string, string>>, options: OutboundOptions = {}): Promise<OutboundResponse> {
  return guardedRequest(raw, 'POST', new URLSearchParams(form).toString(), {
    ...options,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store', ...options.headers },
  });
}

async function guardedRequest(raw: string, method: 'GET' | 'POST', body: string | undefined, options: OutboundOptions): Promise<OutboundResponse> {
  const target = await resolveOutboundTarget(raw, options);
  const timeoutMs = options.timeoutMs ?? OUTBOUND_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? OUTBOUND_DEFAULTS.maxBytes;
  const { address, family } = target.address;
  // Every lookup the socket makes answers with the checked address, so a second DNS answer can never be used.
  const pinned = ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (lookupOptions.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<OutboundResponse>((resolve, reject) => {
    const fail = (reason: string, cause?: unknown): void => {
      reject(new OutboundRequestError(reason, { cause }));
      outgoing.destroy();
    };
    const outgoing = request({
      protocol: target.url.protocol,
      hostname: target.host,
      port: target.url.port === '' ? undefined : Number(target.url.port),
      path: `${target.url.pathname}${target.url.search}`,
      method,
      lookup: pinned,
      ...(isIP(target.host) === 0 && { servername: target.host }), // SNI and certificate check against the name
      agent: false, // no pooled socket connected under an earlier, different answer
      headers: { 'user-agent': 'latchkey', ...options.headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) },
    });
    const deadline = setTimeout(() => fail(`did not answer within ${timeoutMs} ms`), timeoutMs); // headers and body
    outgoing.on('error', (error) => fail('could not be fetched', error));
    outgoing.on('close', () => clearTimeout(deadline));
    outgoing.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail('redirects are not followed');
      const declared = Number(response.headers['content-length'] ?? '0');
      if (declared > maxBytes) return fail(`answer is larger than ${maxBytes} bytes`);
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > maxBytes) fail(`answer is larger than ${maxBytes} bytes`);
        else chunks.push(chunk);
      });
      response.on('error', (error) => fail('could not be read', error));
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status, headers: response.headers, body: Buffer.concat(chunks) });
      });
      return undefined;
    });
    outgoing.end(body);
  });
}
