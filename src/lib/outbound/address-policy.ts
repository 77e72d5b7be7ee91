// Which network addresses an outbound request may reach (issue 9 item 3, RFC 9700 §4.15 SSRF-adjacent concerns,
// RFC 6890 special-purpose registries): public unicast only, unless the operator allow-lists a host or range.
import { BlockList, isIP } from 'node:net';

/** IPv4 ranges that are not the public internet (RFC 6890, RFC 6598 CGNAT, RFC 5737 documentation, multicast). */
const FORBIDDEN_V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
];

/**
 * IPv6 ranges likewise. IPv4-mapped addresses (::ffff:a.b.c.d) are checked as the IPv4 address they carry
 * (BlockList does this itself); prefixes that embed or translate IPv4 (NAT64, 6to4, Teredo, IPv4-compatible) are
 * refused whole, since they can smuggle a private IPv4 address past a check of the IPv6 one.
 */
const FORBIDDEN_V6: readonly [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b::', 96, 'NAT64'],
  ['64:ff9b:1::', 48, 'NAT64 (local use)'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments (Teredo, ORCHID)'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique local (includes fd00:ec2::254 cloud metadata)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

const forbiddenV4 = FORBIDDEN_V4.map(([network, prefix, why]) => ({ list: subnet(network, prefix, 'ipv4'), why }));
const forbiddenV6 = FORBIDDEN_V6.map(([network, prefix, why]) => ({ list: subnet(network, prefix, 'ipv6'), why }));

function subnet(network: string, prefix: number, family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list;
}

const familyOf = (address: string): 'ipv4' | 'ipv6' | undefined => (isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : undefined);

/** Why `address` (an IP literal, no brackets) is not a public unicast address; undefined when it is. */
export function forbiddenAddressReason(address: string): string | undefined {
  const family = familyOf(address);
  if (family === undefined) return 'not an IP address';
  const mapped = family === 'ipv6' ? ipv4Mapped(address) : undefined;
  if (mapped !== undefined) return forbiddenAddressReason(mapped);
  // Each family against its own rules: BlockList would otherwise match IPv4 addresses against IPv6 rules via mapping.
  for (const rule of family === 'ipv4' ? forbiddenV4 : forbiddenV6) {
    if (rule.list.check(address, family)) return rule.why;
  }
  return undefined;
}

/** The IPv4 address inside ::ffff:a.b.c.d, whatever its spelling (::ffff:7f00:1, 0:0:0:0:0:ffff:127.0.0.1). */
function ipv4Mapped(address: string): string | undefined {
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname; // WHATWG serialisation: [::ffff:7f00:1]
  } catch {
    return undefined;
  }
  const match = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical);
  if (match === null) return undefined;
  const high = parseInt(match[1] as string, 16);
  const low = parseInt(match[2] as string, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

const LOOPBACK = subnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopbackAddress(address: string): boolean {
  const family = familyOf(address);
  return family !== undefined && LOOPBACK.check(address, family);
}

/** Operator allow-list (LATCHKEY_OUTBOUND_ALLOW): exact hosts, `*.suffix` hosts, IP addresses and CIDR ranges. */
export interface OutboundAllowList {
  readonly hosts: readonly string[];
  readonly ranges: BlockList;
  readonly entries: readonly string[];
}

export const EMPTY_ALLOW_LIST: OutboundAllowList = { hosts: [], ranges: new BlockList(), entries: [] };

const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Parses comma-separated entries; throws an Error naming the first bad one. */
export function parseOutboundAllowList(raw: string | readonly string[]): OutboundAllowList {
  const entries = (typeof raw === 'string' ? raw.split(',') : raw).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
  const hosts: string[] = [];
  const ranges = new BlockList();
  for (const entry of entries) {
    const [network = '', prefixText, extra] = entry.split('/');
    const address = network.replace(/^\[(.*)\]$/, '$1');
    const family = familyOf(address);
    if (family !== undefined && extra === undefined) {
      const max = family === 'ipv4' ? 32 : 128;
      const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${entry}" has a bad prefix length (0 to ${max})`);
      ranges.addSubnet(address, prefix, family);
    } else if (prefixText === undefined && HOSTNAME.test(entry)) {
      hosts.push(entry);
    } else {
      throw new Error(`"${entry}" is neither a host name, an IP address nor a CIDR range`);
    }
  }
  return { hosts, ranges, entries };
}

export function hostAllowed(allow: OutboundAllowList, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allow.hosts.some((entry) => (entry.startsWith('*.') ? name.endsWith(entry.slice(1)) : name === entry));
}

export function addressAllowed(allow: OutboundAllowList, address: string): boolean {
  const family = familyOf(address);
  return family !== undefined && allow.ranges.check(address, family);
}
