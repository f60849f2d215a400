import { describe, expect, it } from 'vitest';
import { GroupError, parseAddressGroup, parsePortGroup } from '../../src/ids/rules/address-group.js';
import { defaultVars } from '../../src/ids/rules/vars.js';

const v = defaultVars();
const ip = (s: string) => new Uint8Array(s.split('.').map(Number));

describe('address groups', () => {
  it('CIDR, ranges, lists, negation and nested negation', () => {
    const g = parseAddressGroup('[10.0.0.0/8,![10.1.0.0/16,!10.1.2.0/24],192.0.2.5-192.0.2.7]', v);
    expect(g.has(ip('10.9.9.9'))).toBe(true);
    expect(g.has(ip('10.1.9.9'))).toBe(false);
    expect(g.has(ip('10.1.2.3'))).toBe(true);
    expect(g.has(ip('192.0.2.6'))).toBe(true);
    expect(g.has(ip('192.0.2.8'))).toBe(false);
    expect(g.has(ip('11.0.0.0'))).toBe(false);
  });

  it('variables and a list with only negated members', () => {
    const ext = parseAddressGroup('$EXTERNAL_NET', v);
    expect(ext.has(ip('8.8.8.8'))).toBe(true);
    expect(ext.has(ip('192.168.3.3'))).toBe(false);
    const notOne = parseAddressGroup('[!1.2.3.4]', v);
    expect(notOne.has(ip('1.2.3.4'))).toBe(false);
    expect(notOne.has(ip('1.2.3.5'))).toBe(true);
    // "any" also covers IPv6; a v4 list does not
    expect(parseAddressGroup('any', v).any).toBe(true);
    const six = new Uint8Array(16);
    six[15] = 1;
    expect(parseAddressGroup('[1.0.0.0/8]', v).has(six)).toBe(false);
    expect(parseAddressGroup('::1', v).has(six)).toBe(true);
    expect(parseAddressGroup('!$HOME_NET', v).has(six)).toBe(true);
  });

  it('refuses bad groups with a reason', () => {
    expect(() => parseAddressGroup('$NOPE', v)).toThrow(GroupError);
    expect(() => parseAddressGroup('[1.2.3.4', v)).toThrow(/unbalanced/);
    expect(() => parseAddressGroup('1.2.3.4/33', v)).toThrow(GroupError);
    expect(() => parseAddressGroup('[1.2.3.4,!1.2.3.4]', v)).toThrow(/nothing/);
    const loop = { address: { A: '$B', B: '$A' }, port: {} };
    expect(() => parseAddressGroup('$A', loop)).toThrow(/nest/);
  });
});

describe('port groups', () => {
  it('ranges, open ranges, lists, negation, variables', () => {
    const p = parsePortGroup('[80:90,!85,:10,65530:]', v);
    expect([80, 84, 85, 86, 90, 91, 0, 10, 11, 65535].map((x) => p.has(x))).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(parsePortGroup('$HTTP_PORTS', v).has(80)).toBe(true);
    expect(parsePortGroup('!$HTTP_PORTS', v).has(80)).toBe(false);
    expect(parsePortGroup('$FILE_DATA_PORTS', v).has(143)).toBe(true);
    expect(() => parsePortGroup('70000', v)).toThrow(GroupError);
    expect(() => parsePortGroup('90:80', v)).toThrow(/backwards/);
  });
});
