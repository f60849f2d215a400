/** Address notations as libpcap reads them (more lenient than src/net/address.ts, on purpose). */

/** libpcap's __pcap_atoin: 1 to 4 decimal parts; `len` is the number of bits given. */
export function atoin(s: string): { addr: number; len: number } | null {
  const parts = s.split('.');
  let addr = 0;
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    addr = ((addr << 8) | n) >>> 0;
  }
  return { addr, len: parts.length * 8 };
}

/** An IPv6 address as four big-endian 32-bit words. */
export function parseIPv6Words(s: string): number[] | null {
  const bytes = parseIPv6Loose(s);
  if (!bytes) return null;
  const w: number[] = [];
  for (let i = 0; i < 16; i += 4)
    w.push(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
  return w;
}

function parseIPv6Loose(s: string): number[] | null {
  const dbl = s.indexOf('::');
  const words = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = g.split('.');
        if (v4.length !== 4 || v4.some((x) => !/^[0-9]{1,3}$/.test(x) || Number(x) > 255)) return null;
        out.push((Number(v4[0]) << 8) | Number(v4[1]), (Number(v4[2]) << 8) | Number(v4[3]));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
        out.push(Number.parseInt(g, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = words(dbl >= 0 ? s.slice(0, dbl) : s);
  const tail = dbl >= 0 ? words(s.slice(dbl + 2)) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (dbl < 0 ? fill !== 0 : fill < 1) return null;
  const all = [...head, ...new Array(fill).fill(0), ...tail];
  const bytes: number[] = [];
  for (const w of all) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

/** libpcap's pcap_ether_aton: each part is 1 or 2 hex digits; `:`, `-`, `.` separate. */
export function parseMac(s: string): number[] {
  const out: number[] = [];
  let i = 0;
  const hex = (c: string) => /[0-9A-Fa-f]/.test(c);
  while (i < s.length && out.length < 6) {
    if (s[i] === ':' || s[i] === '-' || s[i] === '.') i++;
    let d = Number.parseInt(s[i++], 16);
    if (i < s.length && hex(s[i])) d = (d << 4) | Number.parseInt(s[i++], 16);
    out.push(d);
  }
  return out;
}
