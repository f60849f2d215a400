/**
 * The compiled filter as other modules use it: the three ways to test a packet agree, link
 * types are handled per packet in multi-interface pcapng files, BSD loopback captures written
 * on big-endian machines are read right (tcpdump as oracle), damaged input never throws, and
 * the generated code contains nothing of the user's text.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFilter, PacketFilter } from '../../../src/packet/filter/index.js';
import { LinkType, PcapWriter, readCaptureBuffer } from '../../../src/packet/index.js';
import { corpusPath } from '../../helpers/corpus.js';
import { craftPcapng, udpFrame } from '../craft.js';
import { cleanupParity, compareWithTcpdump, numberCapture, tcpdumpCompileError, workDir } from './parity.js';

afterAll(() => cleanupParity());

describe('compileFilter', () => {
  it('match, matchAt and matchRecord give the same answer for every packet', () => {
    const bytes = readFileSync(corpusPath('lab', 'lab-basic.pcap'));
    const f = compileFilter('tcp[tcpflags] & tcp-syn != 0 or udp port 53 or icmp6', LinkType.ETHERNET);
    let n = 0;
    let hits = 0;
    readCaptureBuffer(bytes, (rec) => {
      const a = f.matchRecord(rec);
      const data = rec.data;
      expect(f.match(data, rec.capLen, rec.origLen)).toBe(a);
      expect(f.matchAt(rec.buffer!, rec.offset!, rec.capLen, rec.origLen)).toBe(a);
      // a record without the zero-copy fields goes through `data`
      expect(
        f.matchRecord({
          linkType: rec.linkType,
          tsSec: 0,
          tsNsec: 0,
          capLen: rec.capLen,
          origLen: rec.origLen,
          data,
          ifIndex: 0,
        }),
      ).toBe(a);
      n++;
      if (a) hits++;
    });
    expect(n).toBe(13698);
    expect(hits).toBeGreaterThan(1000);
  });

  it('the empty expression matches every packet', () => {
    const f = compileFilter('', LinkType.ETHERNET);
    expect(f.matchesAll).toBe(true);
    expect(f.match(new Uint8Array(0), 0, 0)).toBe(true);
  });

  it('flags an expression that can match nothing on the link type, as tcpdump refuses it', async () => {
    const raw = await numberCapture(corpusPath('suricata-verify', 'tests', 'bug-5758', 'input.pcap'));
    for (const expr of ['arp', 'ether proto 0x86dd and rarp']) {
      expect(await tcpdumpCompileError(raw, expr)).toBe('expression rejects all packets');
      expect(compileFilter(expr, LinkType.RAW).matchesNothing).toBe(true);
    }
    expect(compileFilter('tcp', LinkType.RAW).matchesNothing).toBe(false);
  });

  it('reads past neither the captured length nor the buffer, and never throws on damaged input', () => {
    const exprs = [
      'port 80',
      'tcp[tcp[0]:4] = 1',
      'ip[ip[0] - 60] = 0',
      'vlan and tcp',
      'ip[0] / ip[1] = 1',
      'ip6 and host ::1',
      'ether[100:4] = 0',
    ];
    const filters = exprs.map((e) => compileFilter(e, LinkType.ETHERNET));
    // the same packet followed by 0xff bytes, then by zeros: the answer must not depend on
    // anything past the captured length
    const a = new Uint8Array(200).fill(0xff);
    const b = new Uint8Array(200);
    let seed = 7;
    let differing = 0;
    let thrown = 0;
    for (let i = 0; i < 3000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const len = seed % 80;
      for (let k = 0; k < len; k++) a[k] = b[k] = (Math.imul(seed, k + 1) >>> 13) & 0xff;
      for (const f of filters) {
        try {
          if (f.matchAt(a, 0, len, len) !== f.matchAt(b, 0, len, len)) differing++;
          // a capLen larger than the bytes given is clamped to them
          if (f.match(b.subarray(0, len), 1000, 1000) !== f.matchAt(b, 0, len, 1000)) differing++;
        } catch {
          thrown++;
        }
      }
    }
    expect({ differing, thrown }).toEqual({ differing: 0, thrown: 0 });
    for (const f of filters) expect(f.match(new Uint8Array(0), 0, 60)).toBe(false);
  });

  it('refuses an expression too large for the compiler with an error, not a crash', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `host 10.0.${i >> 8}.${i & 255}`).join(' or ');
    expect(() => compileFilter(big, LinkType.ETHERNET)).toThrow(/not supported by Sentra's filter compiler/);
    const deep = `${'('.repeat(20_000)}tcp${')'.repeat(20_000)}`;
    expect(() => compileFilter(deep, LinkType.ETHERNET)).toThrow(/not supported by Sentra's filter compiler/);
    // a few hundred alternatives are fine
    const many = Array.from({ length: 300 }, (_, i) => `host 10.0.0.${i & 255}`).join(' or ');
    expect(compileFilter(many, LinkType.ETHERNET).matchesAll).toBe(false);
  });

  it('generates code from numbers and fixed fragments only, never from the expression text', () => {
    const exprs = [
      'port http or portrange ftp-ssh',
      'ip proto \\udp or ether proto \\arp',
      'host 10.0.0.1 and ether src 00:11:22:33:44:55',
      'tcp[tcpflags] & tcp-syn != 0 and len > 100',
      'ip6 net fd00::/8 and icmp6[icmp6type] = icmp6-echo',
      'ip[0] / ip[1] + 3 << 2 >> 1 ^ 5 = -ip[2] % 7',
    ];
    const allowed = new Set([
      'let',
      'const',
      'return',
      'if',
      'true',
      'false',
      'd',
      'o',
      'c',
      'w',
      'b',
      'r',
      'Math',
      'imul',
    ]);
    for (const e of exprs) {
      const { source } = compileFilter(e, LinkType.ETHERNET);
      const words = source.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? [];
      for (const w of words) expect(allowed.has(w) || /^t\d+$/.test(w)).toBe(true);
      expect(source).not.toMatch(/["'`\\]/);
    }
  });
});

describe('PacketFilter', () => {
  it('compiles per link type in a pcapng file with Ethernet and raw IP interfaces', () => {
    const eth = udpFrame(1);
    const raw = eth.subarray(14);
    const file = craftPcapng([
      { kind: 'shb', le: true },
      { kind: 'idb', linkType: LinkType.ETHERNET },
      { kind: 'idb', linkType: LinkType.RAW },
      { kind: 'epb', ifId: 0, ts: 1n, data: eth },
      { kind: 'epb', ifId: 1, ts: 2n, data: raw },
      { kind: 'epb', ifId: 0, ts: 3n, data: eth },
      { kind: 'epb', ifId: 1, ts: 4n, data: raw },
    ]);
    // udpFrame: 10.0.0.1:12345 -> 10.0.0.2:53; Ethernet destination 00:01:02:03:04:05
    const cases: Array<[string, boolean[]]> = [
      ['udp dst port 53 and dst host 10.0.0.2', [true, true, true, true]],
      ['ether[0] = 0', [true, false, true, false]],
      ['ether[0] = 0x45', [false, true, false, true]],
      ['ether proto 0x800', [true, true, true, true]],
    ];
    for (const [expr, want] of cases) {
      const pf = new PacketFilter(expr);
      const got: boolean[] = [];
      readCaptureBuffer(file.bytes, (rec) => {
        got.push(pf.matchRecord(rec));
      });
      expect(got).toEqual(want);
    }
  });

  it('reports syntax errors at construction and link-type refusals from forLinkType', () => {
    expect(() => new PacketFilter('tcp port')).toThrow(/SENTRA_ERR_FILTER_SYNTAX|column 9/);
    const pf = new PacketFilter('vlan and tcp');
    expect(pf.forLinkType(LinkType.ETHERNET).matchesNothing).toBe(false);
    expect(() => pf.forLinkType(LinkType.LINUX_SLL)).toThrow(/no VLAN support for Linux cooked v1/);
  });
});

/** The loopback capture rewritten as a big-endian machine would have written it. */
let bigEndianCopy: Promise<string> | undefined;
function bigEndianLoopback(): Promise<string> {
  bigEndianCopy ??= (async () => {
    const src = readFileSync(corpusPath('nfstream', 'pcaps', 'rdp.pcap'));
    const out = path.join(workDir(), 'rdp-be.pcap');
    const w = new PcapWriter(createWriteStream(out), { linkType: LinkType.NULL, bigEndian: true }, true);
    readCaptureBuffer(src, (rec) => {
      const d = rec.data.slice();
      d.subarray(0, 4).reverse();
      w.write({ ...rec, data: d, buffer: undefined, offset: undefined });
    });
    await w.close();
    return out;
  })();
  return bigEndianCopy;
}

describe('BSD loopback byte order', () => {
  it('reads the address family in the byte order of the file, as tcpdump does', async () => {
    const be = await numberCapture(await bigEndianLoopback());
    const le = await numberCapture(corpusPath('nfstream', 'pcaps', 'rdp.pcap'));
    expect(be.bigEndian).toBe(true);
    for (const expr of ['ip', 'ip6', 'tcp port 3389', 'not ip']) {
      for (const cap of [be, le]) {
        const r = await compareWithTcpdump(cap, expr);
        expect(r.ours).toEqual(r.theirs);
      }
    }
    expect((await compareWithTcpdump(be, 'ip')).ours).not.toEqual([]);
  });

  it('PacketFilter takes the byte order from the file header as it is read', async () => {
    const be = await bigEndianLoopback();
    const want = (await compareWithTcpdump(await numberCapture(be), 'ip')).theirs;
    const pf = new PacketFilter('ip');
    let frame = 0;
    const got: number[] = [];
    readCaptureBuffer(
      readFileSync(be),
      (rec) => {
        frame++;
        if (pf.matchRecord(rec)) got.push(frame);
      },
      {
        onPcapHeader: (h) => pf.setBigEndian(h.bigEndian),
        onInterface: (i) => void pf.forLinkType(i.linkType),
      },
    );
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(0);
  });
});
