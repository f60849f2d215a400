/** Builds Ethernet/IPv4/TCP|UDP|ICMP frames byte by byte for flow tests (checksums left 0). */

export interface Seg {
  /** µs after the session's start. */
  t: number;
  /** true: from the client (10.1.0.1) to the server (10.1.0.2). */
  fwd: boolean;
  /** Letters of the TCP flags: F S R P A U E C. */
  flags: string;
  win: number;
  /** TCP header length (20, or 32 with 12 bytes of NOP options). */
  hdr: number;
  payload: number;
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 };

function ipv4(src: number[], dst: number[], proto: number, l4: number[]): number[] {
  const total = 20 + l4.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, 0, 0, 64, proto, 0, 0, ...src, ...dst, ...l4];
}

function ether(ip: number[]): Uint8Array {
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, ...ip]);
}

export const CLIENT = [10, 1, 0, 1];
export const SERVER = [10, 1, 0, 2];

export function tcpFrame(s: Seg, cport = 40000, sport = 80): Uint8Array {
  const [sp, dp] = s.fwd ? [cport, sport] : [sport, cport];
  let fl = 0;
  for (const c of s.flags) fl |= FLAG_BITS[c];
  const tcp = [
    sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, 0, 0, 0, 1, 0, 0, 0, 1,
    (s.hdr / 4) << 4, fl, s.win >> 8, s.win & 0xff, 0, 0, 0, 0,
  ]; // biome-ignore format: header layout
  for (let i = 20; i < s.hdr; i++) tcp.push(1); // NOP options
  for (let i = 0; i < s.payload; i++) tcp.push(0x41);
  return ether(s.fwd ? ipv4(CLIENT, SERVER, 6, tcp) : ipv4(SERVER, CLIENT, 6, tcp));
}

export function udpFrame(fwd: boolean, payload: number, cport = 50000, sport = 9999): Uint8Array {
  const [sp, dp] = fwd ? [cport, sport] : [sport, cport];
  const len = 8 + payload;
  const udp = [sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, len >> 8, len & 0xff, 0, 0];
  for (let i = 0; i < payload; i++) udp.push(0x42);
  return ether(fwd ? ipv4(CLIENT, SERVER, 17, udp) : ipv4(SERVER, CLIENT, 17, udp));
}

/** ICMP echo request (type 8) from the client, or reply (type 0) from the server. */
export function icmpEcho(request: boolean, id: number, seq: number, payload: number): Uint8Array {
  const icmp = [request ? 8 : 0, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff];
  for (let i = 0; i < payload; i++) icmp.push(0x43);
  return ether(request ? ipv4(CLIENT, SERVER, 1, icmp) : ipv4(SERVER, CLIENT, 1, icmp));
}

/** A raw IPv4 packet with explicit fragment fields, in Ethernet, optionally 802.1Q-tagged. */
export function ipv4Frame(o: {
  src: number[];
  dst: number[];
  proto: number;
  l4: number[];
  id?: number;
  mf?: boolean;
  fragOffset?: number;
  vlan?: number;
}): Uint8Array {
  const total = 20 + o.l4.length;
  const id = o.id ?? 1;
  const frag = ((o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3)) & 0xffff;
  const ip = [
    0x45, 0, total >> 8, total & 0xff, id >> 8, id & 0xff, frag >> 8, frag & 0xff, 64, o.proto, 0, 0,
    ...o.src, ...o.dst, ...o.l4,
  ]; // biome-ignore format: header layout
  const eth = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
  if (o.vlan !== undefined) eth.push(0x81, 0x00, o.vlan >> 8, o.vlan & 0xff);
  return Uint8Array.from([...eth, 0x08, 0x00, ...ip]);
}

export function udpHeader(sp: number, dp: number, payload: number, udpLen = 8 + payload): number[] {
  const h = [sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, udpLen >> 8, udpLen & 0xff, 0, 0];
  for (let i = 0; i < payload; i++) h.push(0x44);
  return h;
}

/** An IPv6 UDP packet in Ethernet. */
export function ipv6UdpFrame(
  src: number[],
  dst: number[],
  sp: number,
  dp: number,
  payload: number,
): Uint8Array {
  const udp = udpHeader(sp, dp, payload);
  const ip = [0x60, 0, 0, 0, udp.length >> 8, udp.length & 0xff, 17, 64, ...src, ...dst, ...udp];
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, ...ip]);
}
