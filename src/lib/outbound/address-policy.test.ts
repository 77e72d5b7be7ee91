import { describe, expect, it } from 'vitest';
import { addressAllowed, forbiddenAddressReason, hostAllowed, parseOutboundAllowList } from './address-policy.js';

describe('RFC 9700 §4.15 / issue 9 item 3: only public unicast addresses are reachable', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique local'],
    ['fc00::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['2001::1', 'Teredo'],
  ])('refuses %s (%s)', (address, why) => {
    expect(forbiddenAddressReason(address)).toContain(why);
  });

  it.each(['93.184.215.14', '1.1.1.1', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });
});

describe('LATCHKEY_OUTBOUND_ALLOW: the operator allow-list', () => {
  it('holds host names, wildcard suffixes, addresses and CIDR ranges', () => {
    const allow = parseOutboundAllowList('keys.corp.example, *.internal.example, 10.20.0.0/16, fd12::/16, 192.168.7.7');
    expect(hostAllowed(allow, 'keys.corp.example')).toBe(true);
    expect(hostAllowed(allow, 'KEYS.corp.example.')).toBe(true);
    expect(hostAllowed(allow, 'a.internal.example')).toBe(true);
    expect(hostAllowed(allow, 'internal.example')).toBe(false);
    expect(hostAllowed(allow, 'evilkeys.corp.example')).toBe(false);
    expect(addressAllowed(allow, '10.20.3.4')).toBe(true);
    expect(addressAllowed(allow, '10.21.3.4')).toBe(false);
    expect(addressAllowed(allow, 'fd12::5')).toBe(true);
    expect(addressAllowed(allow, '192.168.7.7')).toBe(true);
    expect(addressAllowed(allow, '192.168.7.8')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'http://x', 'a b', '10.0.0.0/8/1', '*.'])('refuses the malformed entry %s', (entry) => {
    expect(() => parseOutboundAllowList(entry)).toThrow();
  });
});
