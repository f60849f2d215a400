/**
 * Floods toward one target, over a one-second sliding window (ten 100 ms buckets):
 *
 * - SYN flood: new TCP connections toward one host and port whose handshake did not complete
 *   (each completed handshake takes its SYN back out of the window);
 * - UDP flood: datagrams toward one host and port, unless the target answers a good share of
 *   them (a busy DNS or QUIC server answers; a flooded port does not);
 * - ICMP flood: echo requests toward one host.
 *
 * The alert names the target and, as source, the address that sent most of the flood
 * (Boyer-Moore majority vote: the true majority when one exists, no memory per source).
 */
import type { FlowState } from '../flow/table.js';
import { Layer, TcpFlag } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import { Category, Detector, type DetectorSignature } from './base.js';
import { addrKey, addrPortKey, BoundedMap, ipOf, keyText, RateWindow } from './common.js';
import type { DetectConfig, DosConfig } from './config.js';

export const DOS_SIGNATURES = {
  synFlood: {
    sid: 9100101,
    msg: 'SENTRA DOS TCP SYN flood (half-open connections toward one port)',
    category: Category.DOS,
    kind: 'syn_flood',
  },
  udpFlood: {
    sid: 9100102,
    msg: 'SENTRA DOS UDP flood toward one port',
    category: Category.DOS,
    kind: 'udp_flood',
  },
  icmpFlood: {
    sid: 9100103,
    msg: 'SENTRA DOS ICMP echo flood toward one host',
    category: Category.DOS,
    kind: 'icmp_flood',
  },
} satisfies Record<string, DetectorSignature>;

const WINDOW_US = 1e6;
/** A target idle this long at a tick is forgotten (its votes too). */
const IDLE_US = 10 * WINDOW_US;
/** Stale targets are already ignored by `target`: sweeps only free memory. */
const SWEEP_US = 3 * IDLE_US;

/** A flood target: its packet rate, the answers it sent and the vote over the senders. */
class Target {
  readonly rate = new RateWindow(WINDOW_US);
  readonly replies: RateWindow | null;
  /** Majority vote over the senders. */
  cand: number | string = 0;
  votes = 0;
  /** No alert before this time (µs): the flood was just reported. */
  quietUntil = 0;
  /**
   * IPv4 target address and port, for the detector's one-entry caches (port -1: an IPv6
   * target, never matched there). Compared as they are, so that a hit builds no key.
   */
  readonly addr: number;
  readonly port: number;
  constructor(replies: boolean, p: Packet, port: number) {
    this.replies = replies ? new RateWindow(WINDOW_US) : null;
    this.addr = p.ipVersion === 4 ? p.dst4 >>> 0 : 0;
    this.port = p.ipVersion === 4 ? port : -1;
  }
}

function vote(t: Target, src: number | string): void {
  if (t.votes === 0) {
    t.cand = src;
    t.votes = 1;
  } else if (t.cand === src) t.votes++;
  else t.votes--;
}

export class DosDetector extends Detector {
  readonly name = 'dos';
  private readonly c: DosConfig;
  private readonly syn: BoundedMap<number | string, Target>;
  private readonly udp: BoundedMap<number | string, Target>;
  private readonly icmp: BoundedMap<number | string, Target>;

  constructor(cfg: DetectConfig) {
    super(cfg.suppressSec, cfg.maxTracked);
    this.c = cfg.dos;
    this.syn = new BoundedMap(cfg.maxTracked);
    this.udp = new BoundedMap(cfg.maxTracked);
    this.icmp = new BoundedMap(cfg.maxTracked);
  }

  // one-entry caches per kind (SYN, UDP, ICMP), IPv4 only: a flood sends packet after packet
  // to one target
  private lastSyn: Target | null = null;
  private lastUdp: Target | null = null;
  private lastIcmp: Target | null = null;

  /** The cached target of `which` when `p`'s address (source or destination) and `port` match. */
  private cached(which: number, p: Packet, src: boolean, port: number): Target | null {
    const t = which === 0 ? this.lastSyn : which === 1 ? this.lastUdp : this.lastIcmp;
    if (t === null || t.port !== port || p.ipVersion !== 4) return null;
    return t.addr === (src ? p.src4 : p.dst4) >>> 0 ? t : null;
  }

  private target(
    which: number,
    m: BoundedMap<number | string, Target>,
    p: Packet,
    port: number,
    replies: boolean,
  ): Target {
    const c = this.cached(which, p, false, port);
    if (c !== null) return c;
    const k = which === 2 ? addrKey(p, false) : addrPortKey(p, false, port);
    let t = m.get(k);
    if (t !== undefined && this.stale(t, this.lastTick)) {
      // a tick since its last packet found it stale: the per-second sweep would have removed it
      m.delete(k);
      t = undefined;
    }
    if (t === undefined) {
      t = new Target(replies, p, port);
      m.add(k, t);
    }
    if (which === 0) this.lastSyn = t;
    else if (which === 1) this.lastUdp = t;
    else this.lastIcmp = t;
    return t;
  }

  onPacket(pkt: Packet, flow: FlowState | null, t: number): void {
    this.onIp(ipOf(pkt), flow, t);
  }

  /** {@link onPacket} with the packet's innermost IP packet (`ipOf`) already found. */
  onIp(p: Packet, flow: FlowState | null, t: number): void {
    if (flow === null) return;
    const L = p.layers;
    if ((L & Layer.TCP) !== 0) {
      const fl = p.tcpFlags;
      if (flow.isNew) {
        if (flow.direction !== 0 || (fl & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return;
        this.openSyn(p, t);
      } else if (
        flow.direction === 0 &&
        flow.toServerPackets === 2 &&
        flow.toClientPackets >= 1 &&
        (fl & (TcpFlag.ACK | TcpFlag.SYN | TcpFlag.RST)) === TcpFlag.ACK
      ) {
        this.handshakeDone(p, t);
      }
    } else if ((L & Layer.UDP) !== 0) {
      this.udpPacket(p, flow, t);
    } else if ((L & (Layer.ICMP | Layer.ICMPV6)) !== 0) {
      if (p.ipProto === 1 ? p.icmpType !== 8 : p.icmpType !== 128) return;
      const tg = this.target(2, this.icmp, p, 0, false);
      vote(tg, addrKey(p, true));
      const n = tg.rate.add(t);
      if (n >= this.c.icmpPerSec && t >= tg.quietUntil) {
        this.raise(DOS_SIGNATURES.icmpFlood, this.c.icmpSeverity, p, tg, t, n, p.ipProto, this.c.icmpPerSec);
      }
    }
  }

  /**
   * The opening SYN (no ACK) of a new TCP flow from its client: {@link onIp}'s work on it, for
   * callers that classified the packet already (the detector group).
   */
  openSyn(p: Packet, t: number): void {
    let tg: Target;
    let src: number | string;
    if (p.ipVersion === 4) {
      // the flood's target again (the one-entry cache of `target`, checked here: no call)
      const port = p.dstPort;
      const last = this.lastSyn;
      tg =
        last !== null && last.port === port && last.addr === p.dst4 >>> 0
          ? last
          : this.target(0, this.syn, p, port, false);
      src = p.src4 >>> 0;
    } else {
      tg = this.target(0, this.syn, p, p.dstPort, false);
      src = addrKey(p, true);
    }
    vote(tg, src);
    const n = tg.rate.add(t);
    if (n >= this.c.synPerSec && t >= tg.quietUntil) {
      this.raise(DOS_SIGNATURES.synFlood, this.c.synSeverity, p, tg, t, n, 6, this.c.synPerSec);
    }
  }

  /**
   * The client's bare ACK completing a handshake (its second packet, after an answer): the SYN
   * was a connection, not part of a flood, and leaves the window.
   */
  handshakeDone(p: Packet, t: number): void {
    const tg = this.cached(0, p, false, p.dstPort) ?? this.syn.get(addrPortKey(p, false, p.dstPort));
    if (tg !== undefined) tg.rate.remove(t);
  }

  /** A UDP datagram of a flow: {@link onIp}'s work on it. */
  udpPacket(p: Packet, flow: FlowState, t: number): void {
    if (flow.direction === 0) {
      let tg: Target;
      let src: number | string;
      if (p.ipVersion === 4) {
        const port = p.dstPort;
        const last = this.lastUdp;
        tg =
          last !== null && last.port === port && last.addr === p.dst4 >>> 0
            ? last
            : this.target(1, this.udp, p, port, true);
        src = p.src4 >>> 0;
      } else {
        tg = this.target(1, this.udp, p, p.dstPort, true);
        src = addrKey(p, true);
      }
      vote(tg, src);
      const n = tg.rate.add(t);
      if (
        n >= this.c.udpPerSec &&
        t >= tg.quietUntil &&
        (tg.replies as RateWindow).count(t) <= n * this.c.udpReplyRatio
      ) {
        this.raise(DOS_SIGNATURES.udpFlood, this.c.udpSeverity, p, tg, t, n, 17, this.c.udpPerSec);
      }
    } else {
      // an answer comes from the target the requests went to: usually the cached one
      const tg = this.cached(1, p, true, p.srcPort) ?? this.udp.get(addrPortKey(p, true, p.srcPort));
      if (tg !== undefined) (tg.replies as RateWindow).add(t);
    }
  }

  private raise(
    sig: DetectorSignature,
    sev: DosConfig['synSeverity'],
    p: Packet,
    tg: Target,
    t: number,
    n: number,
    proto: number,
    threshold: number,
  ): void {
    if (t < tg.quietUntil) return;
    tg.quietUntil = t + this.suppressUs;
    const dst = addrKey(p, false);
    const port = proto === 1 || proto === 58 ? undefined : p.dstPort;
    this.alert(sig, sev, `${dst}|${port ?? ''}`, {
      timeUs: t,
      src: keyText(tg.votes > 0 ? tg.cand : addrKey(p, true)),
      dst: keyText(dst),
      dstPort: port,
      ipProto: proto,
      facts: { packets_per_sec: n, threshold },
    });
  }

  /** Time of the last tick (µs), and of the last sweep. */
  private lastTick = 0;
  private lastSweep = 0;

  tick(t: number): void {
    this.lastTick = t;
    this.lastSyn = null;
    this.lastUdp = null;
    this.lastIcmp = null;
    // Sweeping three tables every second cost a tenth of the detectors' time on the benchmark
    // capture (a scan leaves a target per port): sweep every few windows instead, and have
    // `target` treat an entry that any tick would have found stale as gone, so that alerts do
    // not depend on when sweeps run.
    if (t - this.lastSweep < SWEEP_US) return;
    this.lastSweep = t;
    this.syn.sweep((tg) => this.stale(tg, t));
    this.udp.sweep((tg) => this.stale(tg, t));
    this.icmp.sweep((tg) => this.stale(tg, t));
  }

  /** Idle for ten windows at tick time `t`: the target is forgotten. */
  private stale(tg: Target, t: number): boolean {
    return t - tg.rate.last > IDLE_US;
  }
}
