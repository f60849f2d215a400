/**
 * Expressions the compiler must refuse. Syntax errors: tcpdump refuses them too (the oracle
 * says "syntax error"), and ours carry the position of the offending token and what would have
 * been accepted there. Semantic refusals: libpcap compiles the syntax but refuses the meaning
 * (`tcp host 10.0.0.1`, `port 70000`); ours say the same as tcpdump, word for word, with the
 * position of the primitive at fault. Unsupported: valid syntax Sentra does not implement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../../src/errors.js';
import { compileFilter, parseFilter } from '../../../src/packet/filter/index.js';
import { LinkType } from '../../../src/packet/index.js';
import { corpusPath } from '../../helpers/corpus.js';
import {
  cleanupParity,
  compareWithTcpdump,
  type NumberedCapture,
  numberCapture,
  tcpdumpCompileError,
} from './parity.js';

function errorOf(fn: () => unknown): SentraError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SentraError) return e;
    throw e;
  }
  throw new Error('expected a SentraError, nothing was thrown');
}

let cap: NumberedCapture;
beforeAll(async () => {
  cap = await numberCapture(corpusPath('lab', 'lab-basic.pcap'));
});
afterAll(() => cleanupParity());

/** [expression, 0-based position of the fault, a phrase the expected list must contain]. */
const SYNTAX: Array<[string, number, string]> = [
  ['tcp port', 8, 'an address, a name or a number'],
  ['host 10.0.0.1 and', 17, 'a filter primitive'],
  ['port 80 or or tcp', 11, 'a filter primitive'],
  ['ip[0', 4, '`]`'],
  ['ip[0:2 = 1', 7, '`]`'],
  ['(tcp', 4, '`)`'],
  ['tcp)', 3, 'the end of the expression'],
  ['src or 1.2.3.4', 7, '`dst`'],
  ['ip[0] = 1 = 1', 10, 'the end of the expression'],
  ['foo', 0, 'a filter primitive'],
  ['10.0.0.1', 0, 'a filter primitive'],
  ['ip proto tcp', 9, 'an address, a name or a number'],
  ['len-20 > 0', 0, 'a filter primitive'],
  ['host ((1.1.1.1 or 2.2.2.2) or 3.3.3.3)', 7, 'a number'],
  ['vlan (ip)', 6, 'a number'],
  ['less (100)', 5, 'a number'],
  ['tcp[13] & tcp-syn', 17, 'a comparison'],
  ['src proto 6', 4, 'an address, a name or a number'],
  ['tcp[0] + ether proto 6', 9, 'a number, `len`'],
  ['ether 10.0.0.1', 6, 'the end of the expression'],
  ['tcp 00:11:22:33:44:55', 4, '`and`, `or`'],
  ['net 10.0.0.0 mask 255.0.0.0.0', 18, 'a dotted netmask'],
  ['ether host', 10, 'an address, a name or a number'],
  ['not', 3, 'a filter primitive'],
  ['tcp and and udp', 8, 'a filter primitive'],
];

/** Refused by the scanner: [expression, position, message]. */
const LEXICAL: Array<[string, number, string]> = [
  ['port 08', 5, 'number 08 contains non-octal digit'],
  ['host 1.2.3.4 # x', 13, 'unexpected character "#"'],
  ['ether host 1:2:3', 11, 'bogus ethernet address 1:2:'],
  ['port 99999999999', 5, 'number 99999999999 overflows 32 bits'],
];

describe('syntax errors: FILTER_SYNTAX with the position and what was expected', () => {
  for (const [expr, pos, expected] of SYNTAX) {
    it(expr, async () => {
      const oracle = await tcpdumpCompileError(cap, expr);
      expect(oracle).toMatch(/syntax error/);
      const e = errorOf(() => parseFilter(expr));
      expect(e.code).toBe(ErrorCodes.FILTER_SYNTAX);
      expect(e.details.position).toBe(pos);
      expect(e.details.column).toBe(pos + 1);
      expect((e.details.expected as string[]).some((x) => x.includes(expected))).toBe(true);
      expect(e.message).toContain(`at column ${pos + 1}`);
    });
  }
  for (const [expr, pos, message] of LEXICAL) {
    it(expr, async () => {
      expect(await tcpdumpCompileError(cap, expr)).not.toBeNull();
      const e = errorOf(() => parseFilter(expr));
      expect(e.code).toBe(ErrorCodes.FILTER_SYNTAX);
      expect(e.details.position).toBe(pos);
      expect(e.message).toContain(message);
    });
  }
});

/** [expression, position of the primitive libpcap refuses]. */
const SEMANTIC: Array<[string, number]> = [
  ['tcp host 1.2.3.4', 9],
  ['ip6 host 1.2.3.4', 9],
  ['ip host ::1', 8],
  ['port 70000', 5],
  ['net 10.1.2.3/8', 4],
  ['net 10.0.0.0/33', 4],
  ['host 10.0.0.0/8', 5],
  ['src 10.0.0.0/8', 4],
  ['net 1::1/64', 4],
  ['host ::1/64', 5],
  ['udp port ssh', 9],
  ['port nosuch', 5],
  ['portrange nosuch-http', 10],
  ['ip proto \\nosuch', 9],
  ['ether proto \\nosuch', 12],
  ['portrange 10.0.0.1', 10],
  ['port 10.0.0.0/8', 5],
  ['proto 10.0.0.1', 6],
  ['ip[0] / 0 = 1', 8],
  ['ip[0] % 0 = 1', 8],
  ['ip[1] / ip[0] = 1', 8],
  ['ip[1] / (1 - 1) = 1', 9],
  ['ip[0] << 32 = 1', 9],
  ['len << (16 + 16) = 1', 8],
  ['ip[0:3] = 1', 0],
  ['vlan 5000', 0],
  ['tcp or 80', 7],
  ['(host 1.1.1.1) or 2.2.2.2', 18],
  ['port 80 or (host 10.77.0.3) or 10.77.0.1', 31],
  ['inbound', 0],
  ['ifindex 3', 0],
  ['link', 0],
  ['arp proto 6', 10],
  ['radio', 0],
  ['ip6 broadcast', 0],
  ['port 10.0.0.1', 5],
  ['portrange 10.0.0.0 mask 255.0.0.0', 10],
  ['proto 10.0.0.0/8', 6],
  ['port ::1', 5],
  ['portrange ::1/64', 10],
  ['port fd00::/8', 5],
  ['src 10.1.0.0 mask 255.255.0.0', 4],
  ['ip6 net 10.0.0.0/8', 8],
  ['tcp net 10.0.0.0/8', 8],
  ['ether net 10.0.0.0/8', 10],
  ['ether src 10.0.0.1', 10],
  ['ether src ::1', 10],
  ['tcp port 00:11:22:33:44:55', 9],
  ['host 1.2.3.256', 5],
  ['net ::1/129', 4],
  ['tcp host ::1', 9],
  ['ip net ::/0', 7],
  ['icmp6 host 1.2.3.4', 11],
  ['atalk host 1.2.3.4', 11],
  ['ipx host 1.2.3.4', 9],
  ['gateway 10.0.0.1', 8],
  ['udp dst 1.2.3.4', 8],
  ['udp multicast', 0],
];

describe('refusals libpcap makes after parsing: the same message as tcpdump', () => {
  for (const [expr, pos] of SEMANTIC) {
    it(expr, async () => {
      const r = await compareWithTcpdump(cap, expr);
      expect(typeof r.theirs).toBe('string');
      expect(r.ours).toBe(r.theirs);
      const e = errorOf(() => compileFilter(expr, LinkType.ETHERNET));
      expect(e.code).toBe(ErrorCodes.FILTER_SYNTAX);
      expect(e.details.position).toBe(pos);
    });
  }
});

/** Valid libpcap syntax Sentra does not implement: [expression, position]. */
const UNSUPPORTED: Array<[string, number]> = [
  ['host example.com', 5],
  ['tcp and dst host localhost', 17],
  ['ether host myhost', 11],
  ['net loopback', 4],
  ['mpls', 0],
  ['mpls 100 and ip', 0],
  ['pppoes', 0],
  ['geneve', 0],
  ['vxlan', 0],
  ['llc', 0],
  ['ip protochain 6', 3],
  ['gateway router', 8],
  ['decnet host 1.2.3.4', 12],
  ['byte 3 & 1', 7],
  ['wlan type mgt', 5],
  ['host $12', 5],
  ['isis', 0],
  ['on eth0', 0],
];

describe('valid syntax that is not implemented: FILTER_UNSUPPORTED', () => {
  for (const [expr, pos] of UNSUPPORTED) {
    it(expr, () => {
      const e = errorOf(() => compileFilter(expr, LinkType.ETHERNET));
      expect(e.code).toBe(ErrorCodes.FILTER_UNSUPPORTED);
      expect(e.details.position).toBe(pos);
      expect(e.message).toContain('not supported');
    });
  }
});
