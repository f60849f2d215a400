/**
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message follows a 2-byte length. A direction's
 * in-order bytes are cut into whole messages; a message split across segments waits for its
 * remaining bytes. Detection of the protocol from a direction's first bytes checks the length
 * and a sane header, as Suricata's probing parser does.
 */
import { type DnsMessage, parseDns } from '../../../packet/layers/dns.js';

/** Messages larger than this are not DNS (the length field allows 65535; real ones are far smaller). */
const MAX_PENDING = 65537;

/** Ports where TCP payload is probed for DNS (DNS, mDNS, LLMNR), as the packet decoder's. */
export const DNS_TCP_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);

/**
 * True when `d` (the first bytes of a direction) looks like a DNS message over TCP: a length
 * of at least a header, one to a few questions, an opcode in use.
 */
export function looksLikeDnsTcp(d: Uint8Array, toServer: boolean): boolean {
  if (d.length < 2 + 12) return false;
  const len = (d[0] << 8) | d[1];
  if (len < 12) return false;
  const flags = (d[4] << 8) | d[5];
  const response = (flags & 0x8000) !== 0;
  if (toServer && response) return false;
  const opcode = (flags >>> 11) & 0x0f;
  if (opcode > 6) return false;
  const qd = (d[6] << 8) | d[7];
  return qd >= 1 && qd <= 16;
}

/** The reassembly state of the two directions of one TCP DNS flow. */
export class DnsTcpState {
  /** Flow the state belongs to (sides are reused across flows). */
  flowId = 0;
  private readonly pending: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];

  reset(flowId: number): void {
    this.flowId = flowId;
    this.pending[0] = new Uint8Array(0);
    this.pending[1] = new Uint8Array(0);
  }

  /**
   * Adds in-order bytes of one direction; returns the messages now complete (each parsed
   * without its length prefix). Unparseable messages are skipped.
   */
  feed(toServer: boolean, data: Uint8Array): DnsMessage[] {
    const dir = toServer ? 0 : 1;
    let buf = this.pending[dir];
    if (buf.length === 0) buf = data;
    else {
      const joined = new Uint8Array(buf.length + data.length);
      joined.set(buf, 0);
      joined.set(data, buf.length);
      buf = joined;
    }
    const out: DnsMessage[] = [];
    let o = 0;
    while (o + 2 <= buf.length) {
      const len = (buf[o] << 8) | buf[o + 1];
      if (o + 2 + len > buf.length) break;
      const msg = parseDns(buf, o, 2 + len, true);
      if (msg !== null) out.push(msg);
      o += 2 + len;
    }
    const rest = buf.length - o;
    // copy: `data` is a view of the stream buffer, which is reused
    this.pending[dir] = rest > 0 && rest <= MAX_PENDING ? buf.slice(o) : new Uint8Array(0);
    return out;
  }
}
