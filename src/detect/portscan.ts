/**
 * Port scans, from the way probes end rather than from connection counts, so that a busy
 * client is not a scanner: a probe is a TCP or UDP attempt that got no session — refused (RST
 * from the target, ICMP unreachable), unanswered for `probeTimeoutSec`, or aborted by the
 * client before any data (half-open SYN-RST, connect-then-reset, connect-then-FIN).
 *
 * - vertical scan: probes to `verticalPorts` distinct ports of one host within the window;
 * - horizontal scan: probes to one port on `horizontalHosts` distinct hosts;
 * - probe connections: `probeConnections` TCP connections aborted by the client before data;
 * - SYN scan: `synScanProbes` half-open connections (SYN, SYN-ACK, RST from the client);
 * - FIN / NULL / XMAS packets (no legitimate stack sends them) and ACK probes answered by RST.
 *
 * Unanswered probes wait in a ring ordered by flow id (flows are numbered as they start, so
 * the ring is sorted and a reply finds its probe by binary search, without a map per flow).
 */
import type { FlowState } from '../flow/table.js';
import type { SeverityWord } from '../ids/observer.js';
import { Layer, TcpFlag } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import { Category, Detector, type DetectorSignature } from './base.js';
import {
  addrKey,
  BoundedMap,
  DistinctWindow,
  EventRing,
  icmpQuote,
  ipOf,
  isGroupDest,
  keyText,
} from './common.js';
import type { DetectConfig, PortScanConfig } from './config.js';

export const PORTSCAN_SIGNATURES = {
  vertical: {
    sid: 9100001,
    msg: 'SENTRA SCAN vertical port scan (many ports of one host)',
    category: Category.SCAN,
    kind: 'port_scan',
  },
  horizontal: {
    sid: 9100002,
    msg: 'SENTRA SCAN horizontal port scan (one port on many hosts)',
    category: Category.SCAN,
    kind: 'port_scan',
  },
  probes: {
    sid: 9100003,
    msg: 'SENTRA SCAN TCP probe connections aborted before any data',
    category: Category.SCAN,
    kind: 'port_scan',
  },
  synScan: {
    sid: 9100004,
    msg: 'SENTRA SCAN SYN scan (half-open connections reset by the client)',
    category: Category.SCAN,
    kind: 'port_scan',
  },
  finScan: { sid: 9100005, msg: 'SENTRA SCAN TCP FIN scan', category: Category.SCAN, kind: 'port_scan' },
  nullScan: { sid: 9100006, msg: 'SENTRA SCAN TCP NULL scan', category: Category.SCAN, kind: 'port_scan' },
  xmasScan: { sid: 9100007, msg: 'SENTRA SCAN TCP XMAS scan', category: Category.SCAN, kind: 'port_scan' },
  ackScan: {
    sid: 9100008,
    msg: 'SENTRA SCAN TCP ACK scan (bare ACKs answered by RST)',
    category: Category.SCAN,
    kind: 'port_scan',
  },
} satisfies Record<string, DetectorSignature>;

const F = TcpFlag;
const PENDING = 1 << 16;
/** First size of the pending ring: it doubles when full, up to PENDING. */
const PENDING_START = 1 << 10;
const SWEEP_US = 5e6;
/** Kinds of pending probes. */
const K_SYN = 1;
const K_UDP = 2;
const K_ACK = 3;
/**
 * Pending ring entries, one Float64Array, side by side: flow id, time, IPv4 source and target,
 * and kind << 24 | protocol << 16 | target port (kind 0: settled). One array, so that a probe
 * costs one cache line and not one per column.
 */
const P_STRIDE = 5;
const P_T = 1;
const P_SRC = 2;
const P_DST = 3;
const P_META = 4;
const KIND_SHIFT = 2 ** 24;

interface SourceState {
  probes: EventRing;
  synScan: EventRing;
  stealth: EventRing;
  ack: EventRing;
}

export class PortScanDetector extends Detector {
  readonly name = 'portscan';
  private readonly c: PortScanConfig;
  private readonly windowUs: number;
  private readonly timeoutUs: number;
  private readonly sources: BoundedMap<number | string, SourceState>;
  private readonly vertical: BoundedMap<string, DistinctWindow>;
  private readonly horizontal: BoundedMap<number | string, DistinctWindow>;
  // pending probes: a ring sorted by flow id, grown on demand (a quiet link never needs the
  // full ring, and allocating it costs page faults for nothing)
  private pMask = PENDING_START - 1;
  /** The entries (P_STRIDE numbers each, see P_META). */
  private pRec = new Float64Array(P_STRIDE * PENDING_START);
  // IPv6 keys (text) beside the ring by ring index
  private pText = new Map<number, [string, string]>();
  /** Direct index: flow id -> ring slot, checked against the ring (binary search on a miss). */
  private direct = new Int32Array(2 * PENDING_START).fill(-1);
  private pHead = 0;
  private pCount = 0;
  /** Entries in the ring already settled (state 0), waiting to leave at the head. */
  private pSettled = 0;

  constructor(cfg: DetectConfig) {
    super(cfg.suppressSec, cfg.maxTracked);
    this.c = cfg.portscan;
    this.windowUs = this.c.windowSec * 1e6;
    this.timeoutUs = this.c.probeTimeoutSec * 1e6;
    this.sources = new BoundedMap(cfg.maxTracked);
    this.vertical = new BoundedMap(cfg.maxTracked);
    this.horizontal = new BoundedMap(cfg.maxTracked);
  }

  onPacket(pkt: Packet, flow: FlowState | null, timeUs: number): void {
    this.onIp(ipOf(pkt), flow, timeUs);
  }

  /** {@link onPacket} with the packet's innermost IP packet (`ipOf`) already found. */
  onIp(p: Packet, flow: FlowState | null, timeUs: number): void {
    const L = p.layers;
    if ((L & Layer.TCP) !== 0) {
      if (flow !== null) this.tcp(p, flow, timeUs);
    } else if ((L & Layer.UDP) !== 0) {
      if (flow === null) return;
      if (flow.isNew) {
        if (!isGroupDest(p)) this.addPending(flow.id, timeUs, K_UDP, p, 17);
      } else if (flow.direction === 1 && flow.toClientPackets === 1) {
        this.answer(flow.id);
      }
    } else if ((L & (Layer.ICMP | Layer.ICMPV6)) !== 0) {
      const q = icmpQuote(p);
      // destination unreachable (v4 type 3, v6 type 1) quoting a TCP/UDP probe of the quote's source
      if (q !== null && (p.ipProto === 1 ? p.icmpType === 3 : p.icmpType === 1)) {
        if ((q.layers & (Layer.TCP | Layer.UDP)) !== 0 && q.ipVersion !== 0) {
          this.failedProbe(addrKey(q, true), addrKey(q, false), q.dstPort, q.ipProto, timeUs);
        }
      }
    }
  }

  /**
   * The opening SYN of a new TCP flow from its client (no ACK): {@link onIp}'s work on it, for
   * callers that classified the packet already (the detector group). The most common packet of
   * a scan or a flood.
   */
  openSyn(p: Packet, flowId: number, t: number): void {
    this.addPending(flowId, t, K_SYN, p, 6);
  }

  /** The first datagram of a new UDP flow: {@link onIp}'s work on it. */
  openUdp(p: Packet, flowId: number, t: number): void {
    if (!isGroupDest(p)) this.addPending(flowId, t, K_UDP, p, 17);
  }

  /**
   * The responder's first answer (TCP without RST, or UDP) without RST (a SYN-ACK...): {@link onIp}'s work on it —
   * its probe got an answer.
   */
  firstAnswer(flowId: number): void {
    this.answer(flowId);
  }

  /**
   * A packet from the client of an established-or-opening TCP flow carrying SYN, RST or ACK
   * (not a stealth packet): {@link onIp}'s work on it.
   */
  fromClient(p: Packet, flow: FlowState, t: number): void {
    this.clientSide(p, flow, p.tcpFlags, t);
  }

  private tcp(p: Packet, flow: FlowState, t: number): void {
    const fl = p.tcpFlags;
    // stealth scan packets: no SYN, RST or ACK
    if ((fl & (F.SYN | F.RST | F.ACK)) === 0) {
      const sig =
        fl === 0
          ? PORTSCAN_SIGNATURES.nullScan
          : (fl & (F.FIN | F.PSH | F.URG)) === (F.FIN | F.PSH | F.URG)
            ? PORTSCAN_SIGNATURES.xmasScan
            : (fl & F.FIN) !== 0
              ? PORTSCAN_SIGNATURES.finScan
              : null;
      if (sig !== null) {
        const s = this.source(addrKey(p, true));
        if (s.stealth.hit(t, this.windowUs) && t >= s.stealth.quietUntil)
          this.raise(sig, this.c.severity, s.stealth, p, t, this.c.stealthPackets, true);
      }
    }
    if (flow.isNew) {
      if (flow.direction !== 0) return;
      if ((fl & (F.SYN | F.ACK)) === F.SYN) this.addPending(flow.id, t, K_SYN, p, 6);
      else if (fl === F.ACK && p.payloadLen === 0) this.addPending(flow.id, t, K_ACK, p, 6);
      return;
    }
    if (flow.direction === 1) {
      if (flow.toClientPackets !== 1) return;
      // the first answer of the responder
      const i = this.find(flow.id);
      if (i < 0) return;
      const kind = this.kindAt(i);
      this.settle(i);
      if (kind === 0 || (fl & F.RST) === 0) return;
      // refused: p is the target's RST, so source and destination are swapped
      const src = addrKey(p, false);
      if (kind === K_ACK) {
        const s = this.source(src);
        if (s.ack.hit(t, this.windowUs) && t >= s.ack.quietUntil) {
          this.raise(PORTSCAN_SIGNATURES.ackScan, this.c.severity, s.ack, p, t, this.c.ackScanProbes, false);
        }
      }
      this.failedProbe(src, addrKey(p, true), p.srcPort, 6, t);
      return;
    }
    this.clientSide(p, flow, fl, t);
  }

  private clientSide(p: Packet, flow: FlowState, fl: number, t: number): void {
    // from the client, early in the connection: the answer was seen, or the client aborts
    const early = flow.toServerPackets <= 3 && flow.toClientPackets <= 1;
    if (!early) return;
    // a second packet before any answer (a retransmitted SYN, an abort) settles the probe; after
    // an answer the first-answer path above already did (and what it did not find is gone)
    if (flow.toServerPackets === 2 && flow.toClientPackets === 0) {
      const i = this.find(flow.id);
      if (i >= 0) this.settle(i);
    }
    if ((fl & (F.RST | F.FIN)) === 0 || flow.toClientPackets === 0 || p.payloadLen > 0) return;
    const src = addrKey(p, true);
    const s = this.source(src);
    if (
      (fl & F.RST) !== 0 &&
      flow.toServerPackets === 2 &&
      s.synScan.hit(t, this.windowUs) &&
      t >= s.synScan.quietUntil
    ) {
      this.raise(PORTSCAN_SIGNATURES.synScan, this.c.severity, s.synScan, p, t, this.c.synScanProbes, true);
    }
    if (s.probes.hit(t, this.windowUs) && t >= s.probes.quietUntil) {
      this.raise(
        PORTSCAN_SIGNATURES.probes,
        this.c.probeSeverity,
        s.probes,
        p,
        t,
        this.c.probeConnections,
        true,
      );
    }
    this.failedProbe(src, addrKey(p, false), p.dstPort, 6, t);
  }

  private lastSrcKey: number | string = -1;
  private lastSrc: SourceState | null = null;

  private source(k: number | string): SourceState {
    if (k === this.lastSrcKey && this.lastSrc !== null) return this.lastSrc;
    let s = this.sources.get(k);
    if (s === undefined) {
      const c = this.c;
      s = {
        probes: new EventRing(c.probeConnections),
        synScan: new EventRing(c.synScanProbes),
        stealth: new EventRing(c.stealthPackets),
        ack: new EventRing(c.ackScanProbes),
      };
      this.sources.add(k, s);
    }
    this.lastSrcKey = k;
    this.lastSrc = s;
    return s;
  }

  private lastPair = '';
  private lastHKey: number | string = -1;
  private lastH: DistinctWindow | null = null;
  private lastV: DistinctWindow | null = null;
  private lastVSrc: number | string = -1;
  private lastVDst: number | string = -1;

  /** A probe from `src` to `dst`:`port` got no session. */
  private failedProbe(
    src: number | string,
    dst: number | string,
    port: number,
    proto: number,
    t: number,
  ): void {
    const w = this.windowUs;
    // a vertical scan repeats one (source, target) pair: keep its window at hand
    let v: DistinctWindow | undefined;
    if (src === this.lastVSrc && dst === this.lastVDst && this.lastV !== null) v = this.lastV;
    else {
      this.lastPair = `${src}|${dst}`;
      v = this.vertical.get(this.lastPair);
      if (v === undefined) {
        v = new DistinctWindow(this.c.verticalPorts);
        this.vertical.add(this.lastPair, v);
      }
      this.lastV = v;
      this.lastVSrc = src;
      this.lastVDst = dst;
    }
    const ports = v.add(proto * 65536 + port, t, w);
    if (ports >= this.c.verticalPorts && t >= v.quietUntil) {
      v.quietUntil = t + this.suppressUs;
      this.alert(PORTSCAN_SIGNATURES.vertical, this.c.severity, this.lastPair, {
        timeUs: t,
        src: keyText(src),
        dst: keyText(dst),
        ipProto: proto,
        facts: { distinct_ports: ports, window_sec: this.c.windowSec },
      });
    }
    // IPv4: source * 2^17 + protocol bit + port is exact below 2^53
    const hk =
      typeof src === 'number' ? src * 131072 + (proto === 6 ? 65536 : 0) + port : `${src}|${proto}|${port}`;
    let h: DistinctWindow | undefined;
    if (hk === this.lastHKey && this.lastH !== null) h = this.lastH;
    else {
      h = this.horizontal.get(hk);
      if (h === undefined) {
        h = new DistinctWindow(this.c.horizontalHosts);
        this.horizontal.add(hk, h);
      }
      this.lastHKey = hk;
      this.lastH = h;
    }
    const hosts = h.add(typeof dst === 'number' ? dst : hashText(dst), t, w);
    if (hosts >= this.c.horizontalHosts && t >= h.quietUntil) {
      h.quietUntil = t + this.suppressUs;
      this.alert(PORTSCAN_SIGNATURES.horizontal, this.c.severity, `${src}|${proto}|${port}`, {
        timeUs: t,
        src: keyText(src),
        dst: keyText(dst),
        dstPort: port,
        ipProto: proto,
        facts: { distinct_hosts: hosts, window_sec: this.c.windowSec },
      });
    }
  }

  private raise(
    sig: DetectorSignature,
    sev: SeverityWord,
    ring: EventRing,
    p: Packet,
    t: number,
    n: number,
    fromSrc: boolean,
  ): void {
    if (t < ring.quietUntil) return;
    ring.quietUntil = t + this.suppressUs;
    const src = addrKey(p, fromSrc);
    this.alert(sig, sev, String(src), {
      timeUs: t,
      src: keyText(src),
      dst: keyText(addrKey(p, !fromSrc)),
      ipProto: 6,
      facts: { count: n, window_sec: this.c.windowSec },
    });
  }

  // ---- pending probes ------------------------------------------------------------------------

  private addPending(flowId: number, t: number, kind: number, p: Packet, proto: number): void {
    if (this.pCount > 0 && t - this.pRec[this.pHead * P_STRIDE + P_T] >= this.timeoutUs) this.expire(t);
    if (this.pCount > this.pMask) {
      // full: settled probes (answered out of order) leave first, so that a flood does not
      // push a slow probe out as unanswered; a quarter of the ring at least, so that the
      // compaction stays rare
      if (this.pSettled >= (this.pMask + 1) >> 2) this.compact();
      else if (this.pCount < PENDING) this.grow();
      else this.popHead(true);
    }
    const i = (this.pHead + this.pCount) & this.pMask;
    const r = this.pRec;
    const o = i * P_STRIDE;
    r[o] = flowId;
    r[o + P_T] = t;
    this.direct[flowId & (this.direct.length - 1)] = i;
    r[o + P_META] = kind * KIND_SHIFT + (proto << 16) + p.dstPort;
    if (p.ipVersion === 4) {
      r[o + P_SRC] = p.src4 >>> 0;
      r[o + P_DST] = p.dst4 >>> 0;
    } else {
      this.pText.set(i, [addrKey(p, true) as string, addrKey(p, false) as string]);
    }
    this.pCount++;
  }

  private answer(flowId: number): void {
    const i = this.find(flowId);
    if (i >= 0) this.settle(i);
  }

  /**
   * The probe in ring slot `i` got an answer or its client went on. The newest probe (nearly
   * always the one answered: a SYN-ACK comes back before the next SYN of a scan or a flood)
   * leaves the ring at once, so that a flood's ring stays a few entries long instead of holding
   * every SYN until its timeout; an older one is marked and leaves at the head.
   */
  private settle(i: number): void {
    const marked = this.kindAt(i) === 0;
    if (((i - this.pHead) & this.pMask) === this.pCount - 1) {
      if (this.pText.size > 0) this.pText.delete(i);
      this.pCount--;
      if (marked) this.pSettled--;
    } else if (!marked) {
      this.pRec[i * P_STRIDE + P_META] %= KIND_SHIFT;
      this.pSettled++;
    }
  }

  /** Kind of the entry in ring slot `i` (0: settled). */
  private kindAt(i: number): number {
    return Math.floor(this.pRec[i * P_STRIDE + P_META] / KIND_SHIFT);
  }

  /** Drops the settled entries of the ring, the others kept in order (direct index and IPv6 keys follow). */
  private compact(): void {
    const r = this.pRec;
    const m = this.pMask;
    const h = this.pHead;
    const text = this.pText.size > 0 ? new Map<number, [string, string]>() : null;
    let w = 0;
    for (let k = 0; k < this.pCount; k++) {
      const i = (h + k) & m;
      if (this.kindAt(i) === 0) continue;
      const j = (h + w) & m;
      if (j !== i) r.copyWithin(j * P_STRIDE, i * P_STRIDE, (i + 1) * P_STRIDE);
      const e = text !== null ? this.pText.get(i) : undefined;
      if (e !== undefined) (text as Map<number, [string, string]>).set(j, e);
      w++;
    }
    if (text !== null) this.pText = text;
    this.pCount = w;
    this.pSettled = 0;
    const direct = this.direct.fill(-1);
    const dm = direct.length - 1;
    for (let k = 0; k < w; k++) {
      const i = (h + k) & m;
      direct[r[i * P_STRIDE] & dm] = i;
    }
  }

  /** Ring index of a pending flow id, or -1 (binary search: ids grow along the ring). */
  private find(flowId: number): number {
    const r = this.pRec;
    if (this.pCount === 0) return -1;
    // the newest probe first (a flood's answer), without touching the direct index
    const newest = (this.pHead + this.pCount - 1) & this.pMask;
    if (r[newest * P_STRIDE] === flowId) return newest;
    const d = this.direct[flowId & (this.direct.length - 1)];
    if (d >= 0 && r[d * P_STRIDE] === flowId && this.inRing(d)) return d;
    let lo = 0;
    let hi = this.pCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const i = (this.pHead + mid) & this.pMask;
      const v = r[i * P_STRIDE];
      if (v === flowId) return i;
      if (v < flowId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Ring slot `i` holds a live entry. */
  private inRing(i: number): boolean {
    return ((i - this.pHead) & this.pMask) < this.pCount;
  }

  private popHead(count: boolean): void {
    const i = this.pHead;
    const kind = this.kindAt(i);
    // an ACK probe with no answer says nothing (a filtered port or a mid-stream capture)
    const text = this.pText.size > 0 ? this.pText.get(i) : undefined;
    if (text !== undefined) this.pText.delete(i);
    if (kind === 0) this.pSettled--;
    if (count && kind !== 0 && kind !== K_ACK) {
      const r = this.pRec;
      const o = i * P_STRIDE;
      const m = r[o + P_META] % KIND_SHIFT;
      const t = r[o + P_T] + this.timeoutUs;
      if (text !== undefined) this.failedProbe(text[0], text[1], m & 0xffff, m >>> 16, t);
      else this.failedProbe(r[o + P_SRC], r[o + P_DST], m & 0xffff, m >>> 16, t);
    }
    this.pHead = (i + 1) & this.pMask;
    this.pCount--;
  }

  /** Doubles the full ring, its entries moved to the front in order (the direct index rebuilt). */
  private grow(): void {
    const n = (this.pMask + 1) * 2;
    const h = this.pHead;
    this.pRec = unwrap(this.pRec, new Float64Array(P_STRIDE * n), P_STRIDE * h);
    if (this.pText.size > 0) {
      const text = new Map<number, [string, string]>();
      const old = n / 2;
      for (const [i, e] of this.pText) text.set((i - h + old) % old, e);
      this.pText = text;
    }
    const direct = new Int32Array(2 * n).fill(-1);
    const dm = direct.length - 1;
    for (let k = 0; k < this.pCount; k++) direct[this.pRec[k * P_STRIDE] & dm] = k;
    this.direct = direct;
    this.pHead = 0;
    this.pMask = n - 1;
  }

  private expire(now: number): void {
    while (this.pCount > 0 && now - this.pRec[this.pHead * P_STRIDE + P_T] >= this.timeoutUs)
      this.popHead(true);
  }

  private lastSweep = 0;

  tick(timeUs: number): void {
    this.expire(timeUs);
    // idle entries only cost memory (the tables are capped) and say nothing (an entry idle for a
    // window holds no live event): sweep once a window, as each sweep visits every key of a scan
    if (timeUs - this.lastSweep < Math.max(SWEEP_US, this.windowUs)) return;
    this.lastSweep = timeUs;
    const w = this.windowUs;
    this.sources.sweep(
      (s) => timeUs - Math.max(s.probes.last, s.synScan.last, s.stealth.last, s.ack.last) > w,
    );
    this.vertical.sweep((d) => timeUs - d.last > w);
    this.lastV = null;
    this.lastH = null;
    this.lastSrc = null;
    this.horizontal.sweep((d) => timeUs - d.last > w);
  }

  finish(): void {
    // end of input: what never got an answer is unanswered
    while (this.pCount > 0) this.popHead(true);
  }
}

/** `to` holding the full ring `from` (oldest entry at `head`) in order from index 0. */
function unwrap(from: Float64Array, to: Float64Array<ArrayBuffer>, head: number): Float64Array<ArrayBuffer> {
  to.set(from.subarray(head));
  to.set(from.subarray(0, head), from.length - head);
  return to;
}

function hashText(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
