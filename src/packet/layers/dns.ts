/**
 * DNS messages (RFC 1035; also mDNS and LLMNR, which share the format): header flags, the
 * questions and the resource records of the answer section. A pure parser over bytes; it never
 * throws and returns null when the header itself is unusable. Over TCP the message follows a
 * 2-byte length.
 */
import { formatIPv6 } from '../../net/address.js';

export interface DnsQuestion {
  /** Dotted name as tshark prints it ("<Root>" for the root). */
  name: string;
  type: number;
  class: number;
}

export interface DnsAnswer {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /**
   * The record data as text: an address for A/AAAA, a name for CNAME/NS/PTR, "pref name" for
   * MX, the strings of TXT joined by spaces, hex bytes otherwise.
   */
  data: string;
}

export interface DnsMessage {
  id: number;
  /** The 16 flag bits. */
  flags: number;
  response: boolean;
  opcode: number;
  /** Response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN...). */
  rcode: number;
  /** The message was cut (TC bit). */
  truncatedFlag: boolean;
  questionCount: number;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  questions: DnsQuestion[];
  answers: DnsAnswer[];
  /** False when the sections ended before the counts said (cut by the capture or bogus). */
  complete: boolean;
}

export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  HTTPS: 65,
  ANY: 255,
} as const;

/** Names longer than this are not DNS names (RFC 1035 2.3.4). */
const MAX_NAME = 255;
/** Compression pointers followed per name: enough for any real message, finite for loops. */
const MAX_JUMPS = 64;
/** Records parsed per section: bounds the work a hostile packet can ask for. */
const MAX_RECORDS = 256;

/** Parses the DNS message at `buf[off, off+len)`; `tcp` means it starts with a 2-byte length. */
export function parseDns(buf: Uint8Array, off: number, len: number, tcp: boolean): DnsMessage | null {
  let start = off;
  let end = off + len;
  if (tcp) {
    if (len < 2) return null;
    const mlen = (buf[off] << 8) | buf[off + 1];
    start = off + 2;
    if (start + mlen < end) end = start + mlen;
  }
  // a message cut by the snaplen still has its id and flags (tshark shows them too)
  if (end - start < 4) return null;
  const b = buf;
  const u16 = (o: number) => (o + 2 <= end ? (b[o] << 8) | b[o + 1] : 0);
  const flags = u16(start + 2);
  const msg: DnsMessage = {
    id: u16(start),
    flags,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 0x0f,
    rcode: flags & 0x0f,
    truncatedFlag: (flags & 0x0200) !== 0,
    questionCount: u16(start + 4),
    answerCount: u16(start + 6),
    authorityCount: u16(start + 8),
    additionalCount: u16(start + 10),
    questions: [],
    answers: [],
    complete: false,
  };
  const name = { text: '', next: 0 };
  let o = start + 12;
  if (o > end) return msg;
  for (let i = 0; i < msg.questionCount && i < MAX_RECORDS; i++) {
    if (!readName(b, start, end, o, name) || name.next + 4 > end) return msg;
    o = name.next;
    msg.questions.push({ name: name.text, type: u16(o), class: u16(o + 2) });
    o += 4;
  }
  for (let i = 0; i < msg.answerCount && i < MAX_RECORDS; i++) {
    if (!readName(b, start, end, o, name) || name.next + 10 > end) return msg;
    o = name.next;
    const type = u16(o);
    const cls = u16(o + 2);
    const ttl = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
    const rdlen = u16(o + 8);
    o += 10;
    if (o + rdlen > end) return msg;
    msg.answers.push({
      name: name.text,
      type,
      class: cls,
      ttl,
      data: rdataText(b, start, end, o, rdlen, type),
    });
    o += rdlen;
  }
  msg.complete = msg.questions.length === msg.questionCount && msg.answers.length === msg.answerCount;
  return msg;
}

/**
 * Reads a possibly compressed name at `o` into `out.text`, and sets `out.next` to the offset
 * after it (after the first pointer when compressed). Returns false on a bad name.
 */
function readName(
  b: Uint8Array,
  msgStart: number,
  end: number,
  o: number,
  out: { text: string; next: number },
): boolean {
  let text = '';
  let next = -1;
  let jumps = 0;
  let total = 0;
  for (;;) {
    if (o >= end) return false;
    const l = b[o];
    if (l === 0) {
      if (next < 0) next = o + 1;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (o + 1 >= end || ++jumps > MAX_JUMPS) return false;
      if (next < 0) next = o + 2;
      o = msgStart + (((l & 0x3f) << 8) | b[o + 1]);
      continue;
    }
    if ((l & 0xc0) !== 0) return false; // extended label types (RFC 6891 obsoleted them)
    if (o + 1 + l > end) return false;
    total += l + 1;
    if (total <= MAX_NAME) {
      if (text.length > 0) text += '.';
      text += labelText(b, o + 1, l);
    }
    o += 1 + l;
  }
  // a name over 255 bytes is invalid; it is still skipped so the records after it parse
  out.text = total > MAX_NAME ? '<Name too long>' : text.length === 0 ? '<Root>' : text;
  out.next = next;
  return true;
}

/**
 * A label as text, decoded as UTF-8 the way tshark does: a lead byte claims as many
 * continuation bytes as its pattern says (up to 6, as in the original UTF-8), and a sequence
 * that is cut short or invalid becomes one U+FFFD. (WHATWG's decoder replaces differently, so
 * names of DNS tunnels would not match tshark's.)
 */
function labelText(b: Uint8Array, o: number, l: number): string {
  let s = '';
  const end = o + l;
  let i = o;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      s += String.fromCharCode(c);
      i++;
      continue;
    }
    const need =
      c >= 0xfc && c <= 0xfd ? 6 : c >= 0xf8 ? 5 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (need === 0 || c >= 0xfe) {
      s += '\ufffd';
      i++;
      continue;
    }
    let j = i + 1;
    while (j < end && j < i + need && (b[j] & 0xc0) === 0x80) j++;
    let cp = -1;
    if (j - i === need && need <= 4) {
      cp = c & (0xff >> (need + 1));
      for (let k = i + 1; k < j; k++) cp = (cp << 6) | (b[k] & 0x3f);
      const min = need === 2 ? 0x80 : need === 3 ? 0x800 : 0x10000;
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = -1;
    }
    s += cp < 0 ? '\ufffd' : String.fromCodePoint(cp);
    i = j;
  }
  return s;
}

function rdataText(
  b: Uint8Array,
  msgStart: number,
  end: number,
  o: number,
  len: number,
  type: number,
): string {
  const name = { text: '', next: 0 };
  switch (type) {
    case DnsType.A:
      if (len === 4) return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
      break;
    case DnsType.AAAA:
      if (len === 16) return formatIPv6(b, o);
      break;
    case DnsType.CNAME:
    case DnsType.NS:
    case DnsType.PTR:
      if (readName(b, msgStart, Math.min(end, o + len), o, name)) return name.text;
      break;
    case DnsType.MX:
      if (len >= 3 && readName(b, msgStart, Math.min(end, o + len), o + 2, name)) {
        return `${(b[o] << 8) | b[o + 1]} ${name.text}`;
      }
      break;
    case DnsType.TXT: {
      const parts: string[] = [];
      let i = o;
      while (i < o + len) {
        const l = b[i];
        if (i + 1 + l > o + len) break;
        parts.push(labelText(b, i + 1, l));
        i += 1 + l;
      }
      return parts.join(' ');
    }
  }
  let hex = '';
  for (let i = 0; i < len; i++) hex += b[o + i].toString(16).padStart(2, '0');
  return hex;
}
