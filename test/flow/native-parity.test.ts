/**
 * The capture engine (native/flow/engine.cc, used by `sentra flows FILE --format cic`) must
 * write byte for byte the CSV of the JavaScript engine (FlowTable + the JavaScript CicWriter,
 * what SENTRA_FLOW_NATIVE=0 runs), and report the same summary, for every capture the flow
 * tests use, under option sets that exercise expiry, linger, teardown and eviction; and for
 * crafted captures full of what the engine hands back to JavaScript (fragments, tunnels, cut
 * headers, IPv6 extension headers, other link types) interleaved with what it decodes itself.
 * A damaged file gives the same error and the same rows before it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureEngineAddon, processCaptureCic } from '../../src/flow/capture-engine.js';
import { CicWriter } from '../../src/flow/cic-writer.js';
import { processCapture } from '../../src/flow/process.js';
import type { FlowTableOptions } from '../../src/flow/table.js';
import { runCli } from '../helpers/cli.js';
import { corpusFiles, corpusPath } from '../helpers/corpus.js';

const disabled = process.env.SENTRA_FLOW_NATIVE === '0';
const BUILD_HINT =
  'the flow addon has no capture engine (build/Release/sentra_flow.node missing or stale, or built without ' +
  'floating-point std::to_chars, which needs GCC 11+): run node scripts/build-native.mjs';

type Opts = Omit<FlowTableOptions, 'onFlow' | 'detectApp'>;

const OPTION_SETS: [string, Opts][] = [
  ['defaults', {}],
  ['NFStream (no teardown)', { tcpTeardown: false, idleTimeout: 120, activeTimeout: 1800 }],
  [
    'tight: short timeouts, no linger, 64 flows',
    { idleTimeout: 0.5, activeTimeout: 3, closeLinger: 0, maxFlows: 64 },
  ],
  ['RST linger, ip bytes', { rstLinger: true, closeLinger: 1, bytes: 'ip' }],
];

/** The JavaScript engine: processCapture and the JavaScript row writer. */
async function viaJs(file: string, o: Opts) {
  const w = new CicWriter('L', undefined, false);
  let error: unknown;
  const summary = await processCapture(file, {
    ...o,
    detectApp: false,
    onFlow: (f) => w.row(f.table, f.slot),
  }).catch((e) => {
    error = e;
    return undefined;
  });
  return { csv: w.take(), summary, error };
}

/** The capture engine; null when it declined the input (the CLI then uses processCapture). */
async function viaNative(file: string, o: Opts) {
  const parts: Buffer[] = [];
  let error: unknown;
  let handedBack = 0;
  const summary = await processCaptureCic(file, {
    ...o,
    label: 'L',
    onOutput: (b) => parts.push(b),
    onHandBack: () => handedBack++,
  }).catch((e) => {
    error = e;
    return undefined;
  });
  if (summary === null) return null;
  return { csv: Buffer.concat(parts), summary, error, handedBack };
}

function errorShape(e: unknown) {
  if (e === undefined) return undefined;
  const x = e as { code?: string; message?: string; details?: unknown };
  return { code: x.code, message: x.message, details: x.details };
}

/** Compares both engines on `file`; returns whether the capture engine took the file. */
async function same(file: string, o: Opts): Promise<boolean> {
  const js = await viaJs(file, o);
  const nat = await viaNative(file, o);
  if (nat === null) return false;
  expect(errorShape(nat.error), file).toEqual(errorShape(js.error));
  if (!nat.csv.equals(js.csv)) {
    const a = nat.csv.toString('latin1').split('\n');
    const b = js.csv.toString('latin1').split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    expect(`${file} line ${i + 1}: ${a[i]}`).toBe(`${file} line ${i + 1}: ${b[i]}`);
  }
  expect(nat.summary, file).toEqual(js.summary);
  return true;
}

const corpus = () => [
  corpusPath('cicflowmeter', 'test.pcap'),
  corpusPath('lab', 'lab-basic.pcap'),
  ...corpusFiles('tcp-control'),
  ...corpusFiles('nfstream/pcaps'),
];

describe.skipIf(disabled)('capture engine parity with the JavaScript engine', () => {
  it('is built', () => {
    if (captureEngineAddon() === null) throw new Error(BUILD_HINT);
  });

  for (const [name, o] of OPTION_SETS) {
    it(`writes the same CSV and summary for every corpus capture (${name})`, async () => {
      if (captureEngineAddon() === null) throw new Error(BUILD_HINT);
      let taken = 0;
      const files = corpus();
      for (const f of files) if (await same(f, o)) taken++;
      // pcapng files are declined (the JavaScript engine reads them); the pcap files are not
      expect(files.length).toBeGreaterThan(250);
      expect(taken).toBeGreaterThan(200);
    }, 300_000);
  }
});

// ---- crafted captures ------------------------------------------------------------------------------

const dir = mkdtempSync(path.join(tmpdir(), 'sentra-native-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rec {
  us: number;
  frame: Uint8Array;
  /** Bytes on the wire (default the frame's length). */
  orig?: number;
  /** Keep only this many bytes (a snaplen cut). */
  cap?: number;
  /** Raw fraction field instead of us % 1e6 (out of range values are legal in the wild). */
  frac?: number;
}

function pcapFile(
  name: string,
  recs: Rec[],
  o: { link?: number; bigEndian?: boolean; nano?: boolean } = {},
): string {
  const le = !o.bigEndian;
  const head = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, at: number) =>
    le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at);
  w32(head, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  if (le) {
    head.writeUInt16LE(2, 4);
    head.writeUInt16LE(4, 6);
  } else {
    head.writeUInt16BE(2, 4);
    head.writeUInt16BE(4, 6);
  }
  w32(head, 262144, 16);
  w32(head, o.link ?? 1, 20);
  const parts: Buffer[] = [head];
  for (const r of recs) {
    const data = Buffer.from(r.frame.subarray(0, r.cap ?? r.frame.length));
    const h = Buffer.alloc(16);
    const sec = Math.floor(r.us / 1e6);
    const frac = r.frac ?? (o.nano ? (r.us % 1e6) * 1000 : r.us % 1e6);
    w32(h, sec, 0);
    w32(h, frac, 4);
    w32(h, data.length, 8);
    w32(h, r.orig ?? r.frame.length, 12);
    parts.push(h, data);
  }
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

const A4 = [10, 9, 0, 1];
const B4 = [10, 9, 0, 2];
const C4 = [192, 168, 7, 7];
const A6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const B6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const M6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 0, 3]; // IPv4-mapped

function be16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

function tcp(
  sp: number,
  dp: number,
  flags: number,
  payload: number,
  o: { hdr?: number; win?: number } = {},
): number[] {
  const hdr = o.hdr ?? 20;
  const h = [
    ...be16(sp),
    ...be16(dp),
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    1,
    (hdr / 4) << 4,
    flags,
    ...be16(o.win ?? 1000),
    0,
    0,
    0,
    0,
  ];
  for (let i = 20; i < hdr; i++) h.push(1);
  for (let i = 0; i < payload; i++) h.push(0x41);
  return h;
}

function udp(sp: number, dp: number, payload: number | number[], len?: number): number[] {
  const body = typeof payload === 'number' ? new Array<number>(payload).fill(0x42) : payload;
  return [...be16(sp), ...be16(dp), ...be16(len ?? 8 + body.length), 0, 0, ...body];
}

function icmp(type: number, code: number, rest: number[]): number[] {
  return [type, code, 0, 0, ...rest];
}

function ip4(
  src: number[],
  dst: number[],
  proto: number,
  l4: number[],
  o: { id?: number; mf?: boolean; off?: number; options?: number; ihl?: number; total?: number } = {},
): number[] {
  const opts = o.options ?? 0;
  const ihl = o.ihl ?? 5 + opts / 4;
  const total = o.total ?? 20 + opts + l4.length;
  const frag = (o.mf ? 0x2000 : 0) | ((o.off ?? 0) >> 3);
  return [
    0x40 | ihl, 0, ...be16(total), ...be16(o.id ?? 1), ...be16(frag), 64, proto, 0, 0, ...src, ...dst,
    ...new Array<number>(opts).fill(1), ...l4,
  ]; // biome-ignore format: header layout
}

function ip6(src: number[], dst: number[], nh: number, l4: number[], ext: number[] = []): number[] {
  const plen = ext.length + l4.length;
  return [0x60, 0, 0, 0, ...be16(plen), nh, 64, ...src, ...dst, ...ext, ...l4];
}

function eth(type: number, body: number[], vlans: number[] = []): Uint8Array {
  const h = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
  for (const [i, v] of vlans.entries())
    h.push(...(i === 0 && vlans.length > 1 ? [0x88, 0xa8] : [0x81, 0x00]), ...be16(v));
  return Uint8Array.from([...h, ...be16(type), ...body]);
}

const e4 = (b: number[], vlans?: number[]) => eth(0x0800, b, vlans);
const e6 = (b: number[], vlans?: number[]) => eth(0x86dd, b, vlans);

/** The crafted traffic: what the engine decodes and what it hands back, interleaved in flows. */
function craftedRecords(): Rec[] {
  const T0 = 1_700_000_000_000_000;
  const r: Rec[] = [];
  let t = T0;
  const at = (dt: number, frame: Uint8Array, extra: Partial<Rec> = {}) => {
    t += dt;
    r.push({ us: t, frame, ...extra });
  };
  // a TCP session with options, padding, a snaplen-cut packet and a FIN close
  at(0, e4(ip4(A4, B4, 6, tcp(40000, 80, 0x02, 0, { hdr: 32, win: 64240 }))));
  at(100, e4(ip4(B4, A4, 6, tcp(80, 40000, 0x12, 0, { win: 65160 }))));
  at(100, e4(ip4(A4, B4, 6, tcp(40000, 80, 0x10, 0))));
  const padded = e4(ip4(A4, B4, 6, tcp(40000, 80, 0x18, 3)));
  at(
    50,
    Uint8Array.from([
      ...padded,
      ...new Array<number>(60 - padded.length > 0 ? 60 - padded.length : 6).fill(0),
    ]),
  );
  const big = e4(ip4(B4, A4, 6, tcp(80, 40000, 0x18, 1400)));
  at(70, big, { cap: 96 }); // snaplen: the payload is cut, the header is whole
  at(10, big, { cap: 14 + 20 + 17 }); // cut inside the TCP header: JavaScript
  at(10, e4(ip4(B4, A4, 6, tcp(80, 40000, 0x18, 10, { hdr: 40 }))), { cap: 14 + 20 + 30 }); // cut in options
  at(20, e4(ip4(A4, B4, 6, tcp(40000, 80, 0x10, 0), { options: 8 }))); // IPv4 options
  at(30, e4(ip4(A4, B4, 6, tcp(40000, 80, 0x11, 0))));
  at(30, e4(ip4(B4, A4, 6, tcp(80, 40000, 0x11, 0))));
  at(30, e4(ip4(A4, B4, 6, tcp(40000, 80, 0x10, 0))));
  at(10, e4(ip4(B4, A4, 6, tcp(80, 40000, 0x10, 0)))); // a stray ACK in the linger
  // UDP, whole and fragmented (first fragment and a later one), the same five-tuple
  for (let i = 0; i < 3; i++) at(200, e4(ip4(A4, C4, 17, udp(5353, 53, 20 + i))));
  const dgram = udp(5353, 53, 60);
  at(100, e4(ip4(A4, C4, 17, dgram.slice(0, 32), { id: 77, mf: true, total: 20 + 32 })));
  at(10, e4(ip4(A4, C4, 17, dgram.slice(32), { id: 77, off: 32, total: 20 + dgram.length - 32 })));
  at(10, e4(ip4(A4, C4, 17, dgram.slice(32), { id: 99, off: 32, total: 20 + dgram.length - 32 }))); // orphan
  at(100, e4(ip4(C4, A4, 17, udp(53, 5353, 40))));
  at(10, e4(ip4(C4, A4, 17, udp(53, 5353, 40, 4)))); // UDP length below 8
  at(10, e4(ip4(C4, A4, 17, udp(53, 5353, 40, 30)))); // UDP length shorter than IP's
  // VLAN and QinQ
  for (let i = 0; i < 3; i++) at(50, e4(ip4(A4, B4, 17, udp(7000, 7001, 10 * i)), [42]));
  at(50, e4(ip4(B4, A4, 17, udp(7001, 7000, 5)), [42]));
  at(50, e4(ip4(A4, B4, 17, udp(7000, 7001, 5)), [100, 42]));
  at(10, e4(ip4(A4, B4, 17, udp(7000, 7001, 5)), [42]), { cap: 16 }); // cut in the tag
  // ICMP: echo both ways, an error with its quote, a cut message, other types
  at(100, e4(ip4(A4, B4, 1, icmp(8, 0, [0, 7, 0, 1, 1, 2, 3, 4]))));
  at(100, e4(ip4(B4, A4, 1, icmp(0, 0, [0, 7, 0, 1, 1, 2, 3, 4]))));
  at(100, e4(ip4(B4, A4, 1, icmp(3, 3, [0, 0, 0, 0, ...ip4(A4, B4, 17, udp(5000, 6000, 4))]))));
  at(10, e4(ip4(B4, A4, 1, [3, 3, 0, 0, 0])));
  at(10, e4(ip4(B4, A4, 1, icmp(13, 0, [0, 9, 0, 1, ...new Array<number>(12).fill(0)]))));
  at(10, e4(ip4(A4, B4, 1, icmp(11, 0, [0, 0, 0, 0]))));
  // IPv6: UDP, TCP, ICMPv6 echo and error, a mapped address, extension headers, fragments
  for (let i = 0; i < 3; i++) at(100, e6(ip6(A6, B6, 17, udp(6000, 53, 12 + i))));
  at(100, e6(ip6(B6, A6, 17, udp(53, 6000, 80))));
  at(100, e6(ip6(A6, B6, 6, tcp(41000, 443, 0x02, 0))));
  at(100, e6(ip6(B6, A6, 6, tcp(443, 41000, 0x12, 0))));
  at(100, e6(ip6(A6, B6, 6, tcp(41000, 443, 0x04, 0))));
  at(100, e6(ip6(A6, B6, 58, icmp(128, 0, [0, 5, 0, 1, 9, 9]))));
  at(100, e6(ip6(B6, A6, 58, icmp(129, 0, [0, 5, 0, 1, 9, 9]))));
  at(100, e6(ip6(B6, A6, 58, icmp(1, 4, [0, 0, 0, 0, ...ip6(A6, B6, 17, udp(6000, 53, 0))]))));
  at(100, e6(ip6(B6, A6, 58, icmp(135, 0, [0, 0, 0, 0, ...A6]))));
  at(10, e6(ip6(B6, A6, 58, [128, 0, 0, 0, 0]))); // an echo cut short
  at(100, e6(ip6(M6, B6, 17, udp(6001, 53, 7))));
  at(100, e6(ip6(A6, B6, 0, udp(6000, 53, 12), [17, 0, 1, 4, 0, 0, 0, 0]))); // hop-by-hop
  at(100, e6(ip6(A6, B6, 44, udp(6000, 53, 12), [17, 0, 0, 1, 0, 0, 0, 5]))); // first fragment
  at(10, e6(ip6(A6, B6, 44, [1, 2, 3, 4], [17, 0, 0, 16, 0, 0, 0, 5]))); // later fragment
  at(10, e6(ip6(A6, B6, 59, []))); // no next header
  // tunnels: GRE and VXLAN carry flows of their own; IP in IP
  const innerUdp = ip4([172, 16, 0, 1], [172, 16, 0, 2], 17, udp(1111, 2222, 9));
  at(100, e4(ip4(A4, B4, 47, [0, 0, 0x08, 0x00, ...innerUdp])));
  at(100, e4(ip4(A4, B4, 17, udp(50000, 4789, [8, 0, 0, 0, 0, 0, 1, 0, ...e4(innerUdp)]))));
  at(100, e4(ip4(A4, B4, 4, innerUdp)));
  at(100, e4(ip4(A4, B4, 17, udp(50001, 3544, 12)))); // Teredo port, not Teredo
  // odd IP: another protocol, a bad header length, a short frame, ARP, 802.3, PPPoE, MPLS
  at(100, e4(ip4(A4, B4, 89, [1, 2, 3, 4, 5, 6])));
  at(10, e4(ip4(A4, B4, 6, tcp(40001, 80, 0x02, 0), { ihl: 4 })));
  at(10, e4(ip4(A4, B4, 6, tcp(40001, 80, 0x02, 0), { total: 10 })));
  at(10, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  at(10, eth(0x0806, new Array<number>(28).fill(0)));
  at(10, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 46, ...new Array<number>(46).fill(0)]));
  at(10, eth(0x8864, [0x11, 0, 0, 1, 0, 30, 0, 0x21, ...ip4(A4, B4, 17, udp(1, 2, 0))]));
  at(10, eth(0x8847, [0, 0, 0x11, 64, ...ip4(A4, B4, 17, udp(3, 4, 0))]));
  // time going backwards, an out-of-range fraction, then a jump that expires everything idle
  at(-5000, e4(ip4(A4, B4, 17, udp(7000, 7001, 3)), [42]));
  at(100, e4(ip4(A4, C4, 17, udp(5353, 53, 1))), { frac: 1_999_999 });
  // many short flows (a scan) to fill small tables, with RSTs back
  for (let i = 0; i < 150; i++) {
    at(2_000, e4(ip4(A4, B4, 6, tcp(30000 + i, 1 + i, 0x02, 0))));
    if (i % 3 === 0) at(50, e4(ip4(B4, A4, 6, tcp(1 + i, 30000 + i, 0x14, 0))));
    if (i % 5 === 0)
      at(50, e4(ip4(A4, B4, 17, udp(30000 + i, 53, dgram.slice(0, 16)), { id: i, mf: true, total: 36 })));
  }
  at(200_000_000, e4(ip4(A4, B4, 17, udp(9, 9, 1))));
  // a closed connection reopened by a SYN during its linger
  at(10, e4(ip4(A4, B4, 6, tcp(45000, 22, 0x02, 0))));
  at(10, e4(ip4(B4, A4, 6, tcp(22, 45000, 0x04, 0))));
  at(10, e4(ip4(A4, B4, 6, tcp(45000, 22, 0x02, 0))));
  at(10, e4(ip4(A4, B4, 6, tcp(45000, 22, 0x11, 0))));
  at(10, e4(ip4(B4, A4, 6, tcp(22, 45000, 0x11, 0))));
  at(10, e4(ip4(A4, B4, 6, tcp(45000, 22, 0x10, 0))));
  at(10, e4(ip4(A4, B4, 6, tcp(45000, 22, 0x18, 5))));
  return r;
}

/** The IP packets of the crafted traffic without their Ethernet header, for raw-IP links. */
function rawIp(recs: Rec[]): Rec[] {
  return recs
    .filter(
      (x) => x.frame.length > 14 && (x.frame[12] === 0x08 || x.frame[12] === 0x86) && x.frame[13] !== 0x06,
    )
    .map((x) => ({
      ...x,
      frame: x.frame.subarray(14),
      cap: x.cap === undefined ? undefined : Math.max(0, x.cap - 14),
    }));
}

describe.skipIf(disabled)('capture engine parity on crafted captures', () => {
  const recs = craftedRecords();
  const v4 = (x: Rec) => x.frame[0] >> 4 === 4;
  const v6 = (x: Rec) => x.frame[0] >> 4 === 6;
  /** A Linux cooked (SLL) header before each IP packet. */
  const sll = (x: Rec): Rec => ({
    ...x,
    frame: Uint8Array.from([
      0,
      0,
      0,
      1,
      0,
      6,
      2,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      ...be16(v4(x) ? 0x0800 : 0x86dd),
      ...x.frame,
    ]),
    cap: x.cap === undefined ? undefined : x.cap + 16,
  });
  // name, the file, flows it makes at least, whether every record goes to JavaScript
  const cases: [string, () => string, number, boolean][] = [
    ['Ethernet, little-endian, µs', () => pcapFile('eth-le.pcap', recs), 100, false],
    [
      'Ethernet, big-endian, ns',
      () => pcapFile('eth-be-ns.pcap', recs, { bigEndian: true, nano: true }),
      100,
      false,
    ],
    ['raw IP (101)', () => pcapFile('raw.pcap', rawIp(recs), { link: 101 }), 100, false],
    [
      'IPv4 link (228), IPv4 only',
      () => pcapFile('ipv4.pcap', rawIp(recs).filter(v4), { link: 228 }),
      100,
      false,
    ],
    [
      'IPv6 link (229), IPv6 only',
      () => pcapFile('ipv6.pcap', rawIp(recs).filter(v6), { link: 229 }),
      4,
      false,
    ],
    [
      'Linux cooked (113): all to JavaScript',
      () => pcapFile('sll.pcap', rawIp(recs).map(sll), { link: 113 }),
      100,
      true,
    ],
  ];
  for (const [name, make, flows, allBack] of cases) {
    it(`writes the same CSV and summary: ${name}`, async () => {
      if (captureEngineAddon() === null) throw new Error(BUILD_HINT);
      const file = make();
      for (const [, o] of OPTION_SETS) expect(await same(file, o)).toBe(true);
      // the traffic made flows of every kind
      const js = await viaJs(file, {});
      expect(js.summary?.flows).toBeGreaterThan(flows);
      // both paths ran: records decoded in C++ and records handed back, interleaved
      const nat = await viaNative(file, {});
      const packets = nat?.summary?.packets ?? 0;
      if (allBack) {
        expect(nat?.handedBack).toBe(packets);
      } else {
        expect(nat?.handedBack).toBeGreaterThanOrEqual(5);
        expect(nat?.handedBack).toBeLessThan(packets / 2);
      }
    });
  }

  it('gives the same error and the same rows before it for a truncated file and a corrupt record', async () => {
    if (captureEngineAddon() === null) throw new Error(BUILD_HINT);
    const whole = pcapFile('whole.pcap', recs);
    const bytes = readFileSync(whole);
    const cut = path.join(dir, 'cut.pcap');
    for (const n of [bytes.length - 3, bytes.length - 20, 24 + 10, Math.floor(bytes.length / 2)]) {
      writeFileSync(cut, bytes.subarray(0, n));
      expect(await same(cut, {})).toBe(true);
      const js = await viaJs(cut, {});
      expect((js.error as { code?: string }).code).toBe('SENTRA_ERR_PCAP_TRUNCATED');
    }
    const bad = Buffer.from(bytes);
    // the tenth record's captured length becomes absurd
    let at = 24;
    for (let i = 0; i < 10; i++) at += 16 + bad.readUInt32LE(at + 8);
    bad.writeUInt32LE(0x7fffffff, at + 8);
    const corrupt = path.join(dir, 'corrupt.pcap');
    writeFileSync(corrupt, bad);
    expect(await same(corrupt, {})).toBe(true);
    expect(((await viaJs(corrupt, {})).error as { code?: string }).code).toBe('SENTRA_ERR_PCAP_CORRUPT');
  });

  it('declines what it does not read (pcapng, a file too short for a header, stdin), leaving it to processCapture', async () => {
    const short = path.join(dir, 'short.pcap');
    writeFileSync(short, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]));
    expect(await viaNative(short, {})).toBeNull();
    // 1kxun.pcap is pcapng inside (its name notwithstanding)
    expect(await viaNative(corpusPath('nfstream', 'pcaps', '1kxun.pcap'), {})).toBeNull();
    expect(await viaNative('-', {})).toBeNull();
  });
});

describe('sentra flows: SENTRA_FLOW_NATIVE=0 and the default write the same file', () => {
  it('for the lab capture and a crafted one, with and without teardown', async () => {
    const files = [corpusPath('lab', 'lab-basic.pcap'), pcapFile('cli.pcap', craftedRecords())];
    for (const f of files) {
      for (const extra of [[], ['--no-tcp-teardown', '--idle-timeout', '1']]) {
        const outs: string[] = [];
        for (const env of [{ SENTRA_FLOW_NATIVE: '0' }, {}]) {
          const r = await runCli(['flows', f, ...extra, '--json'], { env });
          expect(r.code, r.stderr).toBe(0);
          outs.push(r.stdout);
        }
        expect(outs[1].length).toBeGreaterThan(1000);
        expect(outs[1] === outs[0], `${f} ${extra.join(' ')}`).toBe(true);
      }
    }
  }, 120_000);
});

const MEANINGFUL = [
  0, 1, 4, 5, 6, 8, 17, 0x20, 0x3f, 41, 44, 47, 58, 59, 0x45, 0x46, 0x4f, 0x60, 0x81, 0x86, 0x88, 0xdd, 0xff,
];

describe.skipIf(disabled)('capture engine on damaged frames', () => {
  it('agrees with the JavaScript engine on crafted traffic with random bytes changed (and never crashes)', async () => {
    if (captureEngineAddon() === null) throw new Error(BUILD_HINT);
    const base = craftedRecords();
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let round = 0; round < 300; round++) {
      const recs = base.map((r) => {
        const frame = Uint8Array.from(r.frame);
        // a few bytes of the headers changed, now and then a shorter capture
        // (half the time a value that means something to a decoder: a version, a protocol, a type)
        for (let k = rand(5); k > 0; k--)
          frame[rand(Math.min(frame.length, 80))] =
            rand(2) === 0 ? rand(256) : MEANINGFUL[rand(MEANINGFUL.length)];
        const cap = rand(8) === 0 ? rand(frame.length + 1) : r.cap;
        // and now and then a wire length that disagrees with the capture
        const orig = rand(8) === 0 ? rand(3000) : r.orig;
        return { ...r, frame, cap, orig };
      });
      const file = pcapFile(`fuzz-${round}.pcap`, recs, { bigEndian: round % 2 === 1 });
      expect(await same(file, OPTION_SETS[round % OPTION_SETS.length][1]), file).toBe(true);
    }
  }, 120_000);
});
