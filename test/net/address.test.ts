import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import {
  cidrContains,
  cidrOverlaps,
  expandPortRanges,
  formatCidr,
  formatIPv6,
  normalizeIp,
  parseCidr,
  parseIp,
  parsePort,
  parsePortRanges,
} from '../../src/net/address.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SentraError ? e.code : 'not-a-SentraError';
  }
  return undefined;
}

describe('parseIp', () => {
  it('accepts canonical IPv4 and IPv6', () => {
    expect(Array.from(parseIp('192.168.1.100').bytes)).toEqual([192, 168, 1, 100]);
    expect(parseIp('::1').family).toBe(6);
    expect(Array.from(parseIp('::ffff:10.0.0.1').bytes.slice(10))).toEqual([0xff, 0xff, 10, 0, 0, 1]);
  });
  it.each([
    '1.2.3.4; rm -rf /',
    '$(reboot)',
    '1.2.3.4\n5.6.7.8',
    '256.1.1.1',
    '010.0.0.1',
    '1.2.3',
    '',
    'x'.repeat(5000),
    '1::2::3',
    '12345::1',
    '1:2:3:4:5:6:7:8:9',
  ])('refuses %j with SENTRA_ERR_INVALID_IP', (s) => {
    expect(codeOf(() => parseIp(s))).toBe(ErrorCodes.INVALID_IP);
  });
});

describe('formatIPv6 follows RFC 5952 like inet_ntop', () => {
  // node's net module is the oracle for what is a valid address; Node formats URL hosts with
  // the WHATWG serializer, which compresses exactly as RFC 5952 says.
  const samples = [
    '2001:db8::1',
    '::',
    '::1',
    '2001:db8:0:0:1:0:0:1',
    'fe80::1:0:0:0',
    '2001:0:0:1::1',
    '1:0:1:0:1:0:1:0',
  ];
  it.each(samples)('%s', (s) => {
    expect(isIPv6(s)).toBe(true);
    const expected = new URL(`http://[${s}]/`).hostname.slice(1, -1);
    expect(formatIPv6(parseIp(s).bytes)).toBe(expected);
  });
  it('normalizes case', () => {
    expect(normalizeIp('FD77::2')).toBe('fd77::2');
  });
});

describe('parseCidr', () => {
  it('parses and clears host bits unless strict', () => {
    expect(formatCidr(parseCidr('10.1.2.3/8'))).toBe('10.0.0.0/8');
    expect(codeOf(() => parseCidr('10.1.2.3/8', { strict: true }))).toBe(ErrorCodes.INVALID_CIDR);
    expect(formatCidr(parseCidr('fd77::/64'))).toBe('fd77::/64');
    expect(parseCidr('1.2.3.4').prefix).toBe(32);
  });
  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', 'fd00::/129', '10.0.0.0/8; ls', 'a/8'])(
    'refuses %j',
    (s) => {
      expect(codeOf(() => parseCidr(s))).toBe(ErrorCodes.INVALID_CIDR);
    },
  );
  it('contains and overlaps at the boundary', () => {
    const c = parseCidr('192.168.4.0/22');
    expect(cidrContains(c, parseIp('192.168.7.255').bytes)).toBe(true);
    expect(cidrContains(c, parseIp('192.168.8.0').bytes)).toBe(false);
    expect(cidrContains(c, parseIp('192.168.3.255').bytes)).toBe(false);
    expect(cidrOverlaps(parseCidr('0.0.0.0/0'), parseCidr('127.0.0.1/32'))).toBe(true);
    expect(cidrOverlaps(parseCidr('10.0.0.0/9'), parseCidr('10.128.0.0/9'))).toBe(false);
    expect(cidrOverlaps(parseCidr('::/0'), parseCidr('10.0.0.0/8'))).toBe(false);
  });
});

describe('ports', () => {
  it('parses single ports with limits', () => {
    expect(parsePort('22')).toBe(22);
    expect(parsePort(65535)).toBe(65535);
    expect(codeOf(() => parsePort('0'))).toBe(ErrorCodes.INVALID_PORT);
    expect(parsePort('0', { allowZero: true })).toBe(0);
    expect(codeOf(() => parsePort('65536'))).toBe(ErrorCodes.INVALID_PORT);
    expect(codeOf(() => parsePort('22;id'))).toBe(ErrorCodes.INVALID_PORT);
  });
  it('parses nmap-style lists and merges them', () => {
    expect(parsePortRanges('22,80,443')).toEqual([
      { from: 22, to: 22 },
      { from: 80, to: 80 },
      { from: 443, to: 443 },
    ]);
    expect(parsePortRanges('1-1000,500-1500')).toEqual([{ from: 1, to: 1500 }]);
    expect(parsePortRanges('-')).toEqual([{ from: 1, to: 65535 }]);
    expect(parsePortRanges('60000-')).toEqual([{ from: 60000, to: 65535 }]);
    expect(expandPortRanges(parsePortRanges('5,1-3'))).toEqual([1, 2, 3, 5]);
  });
  it.each(['', '100-1', '0-10', '1-70000', 'http', '1,,2', '22 80'])('refuses %j', (s) => {
    expect(codeOf(() => parsePortRanges(s))).toBe(ErrorCodes.INVALID_PORT_RANGE);
  });
});
