/**
 * Builds capture files byte by byte for reader tests, independently of the code under test, and
 * remembers where each record or block begins so that tests know the offsets to expect.
 */

export interface CraftPacket {
  sec: number;
  /** Fraction in the file's own units (µs, ns, or the interface's if_tsresol units). */
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

export interface Crafted {
  bytes: Uint8Array;
  /** File offset of every record (pcap) or block (pcapng), in order. */
  starts: number[];
  /** For each start: whether it is a packet (pcap record, EPB/SPB/OPB). */
  isPacket: boolean[];
}

class Bytes {
  private parts: number[] = [];
  constructor(private readonly le: boolean) {}
  get length(): number {
    return this.parts.length;
  }
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    if (this.le) this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    else this.parts.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.parts.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function craftPcap(opts: {
  le: boolean;
  nano: boolean;
  linkType: number;
  snaplen?: number;
  packets: CraftPacket[];
}): Crafted {
  const b = new Bytes(opts.le);
  b.u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(opts.snaplen ?? 65535)
    .u32(opts.linkType);
  const starts: number[] = [];
  for (const p of opts.packets) {
    starts.push(b.length);
    b.u32(p.sec)
      .u32(p.frac)
      .u32(p.data.length)
      .u32(p.origLen ?? p.data.length)
      .raw(p.data);
  }
  return { bytes: b.bytes(), starts, isPacket: starts.map(() => true) };
}

export type PcapngBlock =
  | { kind: 'shb'; le: boolean }
  | { kind: 'idb'; linkType: number; snaplen?: number; tsresol?: number; tsoffset?: bigint; name?: string }
  | { kind: 'epb'; ifId: number; ts: bigint; data: Uint8Array; origLen?: number }
  | { kind: 'opb'; ifId: number; ts: bigint; data: Uint8Array; origLen?: number }
  | { kind: 'spb'; data: Uint8Array; origLen?: number }
  | { kind: 'unknown'; type: number; body: Uint8Array };

/** A pcapng file: each SHB switches the byte order of the blocks after it. */
export function craftPcapng(blocks: PcapngBlock[]): Crafted {
  const chunks: Uint8Array[] = [];
  const starts: number[] = [];
  const isPacket: boolean[] = [];
  let le = true;
  let at = 0;
  for (const blk of blocks) {
    if (blk.kind === 'shb') le = blk.le;
    const body = new Bytes(le);
    let type: number;
    switch (blk.kind) {
      case 'shb':
        type = 0x0a0d0d0a;
        body
          .u32(0x1a2b3c4d)
          .u16(1)
          .u16(0)
          .u64(-1n & 0xffffffffffffffffn);
        break;
      case 'idb': {
        type = 1;
        body
          .u16(blk.linkType)
          .u16(0)
          .u32(blk.snaplen ?? 0);
        if (blk.name !== undefined) {
          const n = new TextEncoder().encode(blk.name);
          body.u16(2).u16(n.length).raw(n).pad4();
        }
        if (blk.tsresol !== undefined) body.u16(9).u16(1).u8(blk.tsresol).pad4();
        if (blk.tsoffset !== undefined) body.u16(14).u16(8).u64(blk.tsoffset);
        if (blk.name !== undefined || blk.tsresol !== undefined || blk.tsoffset !== undefined)
          body.u16(0).u16(0);
        break;
      }
      case 'epb':
      case 'opb':
        type = blk.kind === 'epb' ? 6 : 2;
        if (blk.kind === 'epb') body.u32(blk.ifId);
        else body.u16(blk.ifId).u16(0);
        body
          .u32(Number(blk.ts >> 32n))
          .u32(Number(blk.ts & 0xffffffffn))
          .u32(blk.data.length)
          .u32(blk.origLen ?? blk.data.length)
          .raw(blk.data)
          .pad4();
        break;
      case 'spb':
        type = 3;
        body
          .u32(blk.origLen ?? blk.data.length)
          .raw(blk.data)
          .pad4();
        break;
      case 'unknown':
        type = blk.type;
        body.raw(blk.body).pad4();
        break;
    }
    const total = body.length + 12;
    const whole = new Bytes(le).u32(type).u32(total).raw(body.bytes()).u32(total).bytes();
    starts.push(at);
    isPacket.push(blk.kind === 'epb' || blk.kind === 'opb' || blk.kind === 'spb');
    chunks.push(whole);
    at += whole.length;
  }
  const bytes = new Uint8Array(at);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return { bytes, starts, isPacket };
}

/** A small Ethernet/IPv4/UDP frame whose payload holds `tag`, so tests can tell packets apart. */
export function udpFrame(tag: number, payloadLen = 4): Uint8Array {
  const ipLen = 20 + 8 + payloadLen;
  const f = new Uint8Array(14 + ipLen);
  f.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00], 0);
  f.set([0x45, 0, ipLen >> 8, ipLen & 0xff, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  f.set([0x30, 0x39, 0, 53, (8 + payloadLen) >> 8, (8 + payloadLen) & 0xff, 0, 0], 34);
  for (let i = 0; i < payloadLen; i++) f[42 + i] = (tag + i) & 0xff;
  return f;
}
