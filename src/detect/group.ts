/**
 * The behavioural detectors attached to the engine as one observer. The engine calls its
 * observers in a loop; with several detector classes that call site turns megamorphic and V8
 * stops inlining, which cost more than the detectors' own work on the benchmark capture. Here
 * each detector is called from its own call site (monomorphic), and alerts keep their
 * detector's name: `name` is the emitting detector's while it emits (the engine reads the
 * observer's name when an alert is emitted).
 */
import type { EndedFlow, FlowState } from '../flow/table.js';
import type { HttpRequestView, HttpResponseView } from '../ids/match/http-buffers.js';
import type { ObserverContext, PacketObserver, TxMeta } from '../ids/observer.js';
import { Layer, TcpFlag } from '../packet/layers/constants.js';
import type { Packet } from '../packet/packet.js';
import type { BruteForceDetector } from './bruteforce.js';
import { ipOf } from './common.js';
import type { DosDetector } from './dos.js';
import type { PortScanDetector } from './portscan.js';
import type { WebAttackDetector } from './webattack.js';

export interface GroupMembers {
  portscan?: PortScanDetector;
  dos?: DosDetector;
  bruteforce?: BruteForceDetector;
  webattack?: WebAttackDetector;
}

export class DetectorGroup implements PacketObserver {
  private current = 'behavioural';
  private readonly ps: PortScanDetector | null;
  private readonly dos: DosDetector | null;
  private readonly bf: BruteForceDetector | null;
  private readonly web: WebAttackDetector | null;

  constructor(m: GroupMembers) {
    this.ps = m.portscan ?? null;
    this.dos = m.dos ?? null;
    this.bf = m.bruteforce ?? null;
    this.web = m.webattack ?? null;
  }

  /** The emitting detector's name during an alert, else `behavioural`. */
  get name(): string {
    return this.current;
  }

  /** Names of the detectors in the group. */
  get members(): string[] {
    return [this.ps, this.dos, this.bf, this.web]
      .filter((d) => d !== null)
      .map((d) => (d as PacketObserver).name);
  }

  attach(ctx: ObserverContext): void {
    for (const d of [this.ps, this.dos, this.bf, this.web]) {
      if (d === null) continue;
      const name = d.name;
      d.attach({
        emit: (a) => {
          const prev = this.current;
          this.current = name;
          try {
            ctx.emit(a);
          } finally {
            this.current = prev;
          }
        },
      });
    }
  }

  onPacket(pkt: Packet, flow: FlowState | null, timeUs: number): void {
    // Each detector is called only for the packets it reads: on a flood or a scan almost every
    // packet is one of theirs, and a call that does nothing still costs (cold code on a busy
    // machine). The conditions mirror the detectors' own (portscan.ts onIp/tcp, dos.ts onIp),
    // which still check them.
    const p = ipOf(pkt);
    const L = p.layers;
    const ps = this.ps;
    const dos = this.dos;
    if ((L & Layer.TCP) !== 0) {
      if (flow === null) return;
      const fl = p.tcpFlags;
      if (flow.isNew) {
        if (flow.direction === 0 && (fl & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
          // the opening SYN (most packets of a scan or a SYN flood): both detectors' work on it
          // without their own checks again
          if (ps !== null) ps.openSyn(p, flow.id, timeUs);
          if (dos !== null) dos.openSyn(p, timeUs);
        } else if (ps !== null) ps.onIp(p, flow, timeUs);
        return;
      }
      if ((fl & (TcpFlag.SYN | TcpFlag.RST | TcpFlag.ACK)) === 0) {
        // a stealth-scan packet (FIN, NULL, XMAS...): the port scan detector's general path
        if (ps !== null) ps.onIp(p, flow, timeUs);
        return;
      }
      if (flow.direction === 1) {
        // port scans look at the responder's first answer only
        if (flow.toClientPackets !== 1 || ps === null) return;
        if ((fl & TcpFlag.RST) === 0) ps.firstAnswer(flow.id);
        else ps.onIp(p, flow, timeUs);
        return;
      }
      // from the client: port scans look at its early packets (opening, answer seen, aborts)
      if (ps !== null && flow.toServerPackets <= 3 && flow.toClientPackets <= 1)
        ps.fromClient(p, flow, timeUs);
      // floods: the client's ACK completing a handshake takes its SYN back
      if (
        dos !== null &&
        flow.toServerPackets === 2 &&
        flow.toClientPackets >= 1 &&
        (fl & (TcpFlag.ACK | TcpFlag.SYN | TcpFlag.RST)) === TcpFlag.ACK
      ) {
        dos.handshakeDone(p, timeUs);
      }
      return;
    }
    if ((L & Layer.UDP) !== 0) {
      if (flow === null) return;
      // probes: a new datagram flow, or its first answer
      if (ps !== null) {
        if (flow.isNew) ps.openUdp(p, flow.id, timeUs);
        else if (flow.direction === 1 && flow.toClientPackets === 1) ps.firstAnswer(flow.id);
      }
      if (dos !== null) dos.udpPacket(p, flow, timeUs);
      return;
    }
    if ((L & (Layer.ICMP | Layer.ICMPV6)) !== 0) {
      if (ps !== null) ps.onIp(p, flow, timeUs);
      if (dos !== null) dos.onIp(p, flow, timeUs);
    }
  }

  onFlowEnd(f: EndedFlow): void {
    if (this.bf !== null) this.bf.onFlowEnd(f);
  }

  onHttpRequest(req: HttpRequestView, meta: TxMeta): void {
    if (this.web !== null) this.web.onHttpRequest(req, meta);
  }

  onHttpResponse(resp: HttpResponseView, req: HttpRequestView | null, meta: TxMeta): void {
    if (this.bf !== null) this.bf.onHttpResponse(resp, req, meta);
  }

  tick(timeUs: number): void {
    this.ps?.tick(timeUs);
    this.dos?.tick(timeUs);
    this.bf?.tick(timeUs);
    this.web?.tick(timeUs);
  }

  finish(): void {
    this.ps?.finish();
  }
}
