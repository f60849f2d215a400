/**
 * Crafted IPv4 and IPv6 traffic for detector tests, written to a pcap file with PcapWriter: single
 * packets with any flags, and whole TCP sessions (handshake, data with consistent sequence and
 * acknowledgement numbers, FIN or RST) that the engine's stream reassembly and HTTP parser
 * accept. Checksums are left 0 (nothing on the read path checks them).
 */
import { parseIPv6Bytes } from '../../src/net/address.js';
import { PcapWriter } from '../../src/packet/file/pcap-writer.js';

const FLAG: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32 };

function ip4(s: string): number[] {
  return s.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address. */
function ip6(s: string): number[] {
  const b = parseIPv6Bytes(s);
  if (b === null) throw new Error(`not an IPv6 address: ${s}`);
  return [...b];
}

export interface Frame {
  /** Seconds (fractional) since the epoch. */
  t: number;
  bytes: Uint8Array;
}

export const T0 = 1_800_000_000;

export class Traffic {
  readonly frames: Frame[] = [];

  /** An IP packet: IPv6 when the addresses are (they contain ':'), else IPv4. */
  private ip(t: number, src: string, dst: string, proto: number, l4: number[]): void {
    if (src.includes(':')) {
      const ip = [
        0x60, 0, 0, 0, l4.length >> 8, l4.length & 0xff, proto, 64, ...ip6(src), ...ip6(dst), ...l4,
      ]; // biome-ignore format: header layout
      this.frames.push({
        t,
        bytes: Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, ...ip]),
      });
      return;
    }
    const total = 20 + l4.length;
    const ip = [
      0x45,
      0,
      total >> 8,
      total & 0xff,
      0,
      1,
      0,
      0,
      64,
      proto,
      0,
      0,
      ...ip4(src),
      ...ip4(dst),
      ...l4,
    ];
    this.frames.push({ t, bytes: Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, ...ip]) });
  }

  tcp(
    t: number,
    src: string,
    dst: string,
    sport: number,
    dport: number,
    flags: string,
    seq = 1,
    ack = 0,
    data = '',
  ): void {
    let fl = 0;
    for (const c of flags) fl |= FLAG[c];
    const b = Buffer.from(data, 'latin1');
    const hdr = [
      sport >> 8, sport & 0xff, dport >> 8, dport & 0xff,
      (seq >>> 24) & 0xff, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff,
      (ack >>> 24) & 0xff, (ack >>> 16) & 0xff, (ack >>> 8) & 0xff, ack & 0xff,
      0x50, fl, 0xff, 0xff, 0, 0, 0, 0,
    ]; // biome-ignore format: header layout
    this.ip(t, src, dst, 6, [...hdr, ...b]);
  }

  udp(t: number, src: string, dst: string, sport: number, dport: number, payload = 8): void {
    const len = 8 + payload;
    const l4 = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, len >> 8, len & 0xff, 0, 0];
    for (let i = 0; i < payload; i++) l4.push(0x41);
    this.ip(t, src, dst, 17, l4);
  }

  /** An ICMP echo request (IPv4 only). */
  icmpEcho(t: number, src: string, dst: string, id: number, seq: number): void {
    if (src.includes(':')) throw new Error('icmpEcho crafts ICMP for IPv4 only');
    this.ip(t, src, dst, 1, [8, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff, 1, 2, 3, 4]);
  }

  /** ICMP port unreachable from `from` quoting a UDP datagram `src:sport -> dst:dport`. */
  icmpPortUnreachable(t: number, from: string, src: string, dst: string, sport: number, dport: number): void {
    if (from.includes(':')) throw new Error('icmpPortUnreachable crafts ICMP for IPv4 only');
    const quote = [
      0x45,
      0,
      0,
      36,
      0,
      1,
      0,
      0,
      64,
      17,
      0,
      0,
      ...ip4(src),
      ...ip4(dst),
      sport >> 8,
      sport & 0xff,
      dport >> 8,
      dport & 0xff,
      0,
      16,
      0,
      0,
    ];
    this.ip(t, from, src, 1, [3, 3, 0, 0, 0, 0, 0, 0, ...quote]);
  }

  /**
   * A whole TCP connection: handshake, then each message in turn (client or server sends it,
   * the other side ACKs), then `close` (client FIN exchange, client RST, or nothing).
   * Messages are `dt` seconds apart. Returns the time after the last packet.
   */
  session(
    t: number,
    client: string,
    server: string,
    cport: number,
    sport: number,
    msgs: Array<{ from: 'client' | 'server'; data: string }>,
    close: 'fin' | 'rst' | 'none' = 'fin',
    dt = 0.001,
  ): number {
    let cs = 1000;
    let ss = 5000;
    const next = (): number => {
      t += dt;
      return t;
    };
    this.tcp(t, client, server, cport, sport, 'S', cs, 0);
    this.tcp(next(), server, client, sport, cport, 'SA', ss, cs + 1);
    cs++;
    ss++;
    this.tcp(next(), client, server, cport, sport, 'A', cs, ss);
    for (const m of msgs) {
      const n = Buffer.byteLength(m.data, 'latin1');
      if (m.from === 'client') {
        this.tcp(next(), client, server, cport, sport, 'PA', cs, ss, m.data);
        cs += n;
        this.tcp(next(), server, client, sport, cport, 'A', ss, cs);
      } else {
        this.tcp(next(), server, client, sport, cport, 'PA', ss, cs, m.data);
        ss += n;
        this.tcp(next(), client, server, cport, sport, 'A', cs, ss);
      }
    }
    if (close === 'fin') {
      this.tcp(next(), client, server, cport, sport, 'FA', cs, ss);
      this.tcp(next(), server, client, sport, cport, 'FA', ss, cs + 1);
      this.tcp(next(), client, server, cport, sport, 'A', cs + 1, ss + 1);
    } else if (close === 'rst') {
      this.tcp(next(), client, server, cport, sport, 'RA', cs, ss);
    }
    return t;
  }

  /** Writes the frames in time order to `file`. */
  async write(file: string): Promise<string> {
    const w = await PcapWriter.open(file);
    const sorted = [...this.frames].sort((a, b) => a.t - b.t);
    for (const f of sorted) {
      const sec = Math.floor(f.t);
      const nsec = Math.round((f.t - sec) * 1e6) * 1000;
      w.writeBytes(sec, nsec, f.bytes, 0, f.bytes.length, f.bytes.length, 1);
    }
    await w.close();
    return file;
  }
}
