/** Test helper: Ethernet/IPv4/TCP frames for crafted captures (checksums computed, so tshark is content). */
import { TcpFlag } from '../../../src/packet/layers/constants.js';

export const F = TcpFlag;

export interface Seg {
  /** 0: client -> server, 1: server -> client. */
  dir: 0 | 1;
  flags: number;
  seq: number;
  ack: number;
  data?: Uint8Array | string;
}

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

function sum16(b: Uint8Array, off: number, len: number, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i] << 8) | b[off + i + 1];
  if (len & 1) s += b[off + len - 1] << 8;
  return s;
}
const fold = (s: number) => {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
};

/** One Ethernet frame carrying the segment between 10.0.0.1:cport and 10.0.0.2:sport. */
export function tcpFrame(s: Seg, cport = 40000, sport = 80): Uint8Array {
  const data = typeof s.data === 'string' ? Buffer.from(s.data, 'latin1') : (s.data ?? new Uint8Array(0));
  const f = new Uint8Array(14 + 20 + 20 + data.length);
  const dv = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, s.dir === 0 ? 2 : 1, 2, 0, 0, 0, 0, s.dir === 0 ? 1 : 2], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45;
  dv.setUint16(ip + 2, 40 + data.length);
  f[ip + 8] = 64;
  f[ip + 9] = 6;
  f.set(s.dir === 0 ? CLIENT : SERVER, ip + 12);
  f.set(s.dir === 0 ? SERVER : CLIENT, ip + 16);
  dv.setUint16(ip + 10, fold(sum16(f, ip, 20)));
  const t = ip + 20;
  dv.setUint16(t, s.dir === 0 ? cport : sport);
  dv.setUint16(t + 2, s.dir === 0 ? sport : cport);
  dv.setUint32(t + 4, s.seq >>> 0);
  dv.setUint32(t + 8, s.ack >>> 0);
  f[t + 12] = 5 << 4;
  f[t + 13] = s.flags & 0xff;
  dv.setUint16(t + 14, 65535);
  f.set(data, t + 20);
  const pseudo = sum16(f, ip + 12, 8) + 6 + 20 + data.length;
  dv.setUint16(t + 16, fold(sum16(f, t, 20 + data.length, pseudo)));
  return f;
}
