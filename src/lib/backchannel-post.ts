// The outbound POST of back-channel logout (OIDC Back-Channel Logout 1.0 §2.5) with an SSRF guard (RFC 9700 §4.15
// spirit, OWASP SSRF): the host is resolved once, every address checked, and the connection pinned to the checked one.
// Interim until the shared outbound guard (src/lib/outbound/) lands on main.
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96], ['64:ff9b::', 96]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when `address` is loopback, private, link-local, reserved or multicast: never a client's public endpoint. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return PRIVATE.check(address, family);
}

export interface PostOptions {
  /** Allow loopback addresses (tests, local development). Private ranges stay refused. */
  readonly allowLoopback: boolean;
  readonly timeoutMs: number;
}

/** POSTs `form` to `uri` (https, or http to loopback when allowed); resolves with the status, never follows redirects. */
export async function postForm(uri: string, form: Readonly<Record<string, string>>, options: PostOptions): Promise<number> {
  const url = new URL(uri);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => {
    throw new Error('the host name does not resolve');
  });
  const first = addresses[0];
  if (first === undefined) throw new Error('the host name does not resolve');
  for (const { address } of addresses) {
    const loopback = LOOPBACK.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
    if (isInternalAddress(address) && !(loopback && options.allowLoopback)) throw new Error('refused: the host is an internal address');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowLoopback)) throw new Error('refused: not https');
  const body = new URLSearchParams(form).toString();
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' },
        // Pinned: the connection goes to the address checked above, not to a second (rebound) DNS answer.
        lookup: ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) =>
          opts.all === true ? callback(null, [{ address: first.address, family: first.family }]) : callback(null, first.address, first.family)) as never,
        timeout: options.timeoutMs,
      },
      (response) => {
        response.resume(); // the body is not needed (§2.8)
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message === 'timed out' ? 'timed out' : 'the request failed')));
    outgoing.end(body);
  });
}
