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
    const p = ipOf(pkt);
    // TCP past its opening exchange (and not a stealth-scan packet: those carry no ACK) is of no
    // interest to the port scan and flood detectors: they look at openings, first answers and
    // early aborts only. The conditions mirror theirs (portscan.ts tcp, dos.ts onPacket).
    if (
      flow !== null &&
      !flow.isNew &&
      (p.layers & Layer.TCP) !== 0 &&
      (p.tcpFlags & TcpFlag.ACK) !== 0 &&
      (flow.direction === 0 ? flow.toServerPackets > 3 : flow.toClientPackets !== 1)
    ) {
      return;
    }
    if (this.ps !== null) this.ps.onIp(p, flow, timeUs);
    // the flood detector reads TCP from the client only (openings and handshake completions)
    if (this.dos !== null && (flow === null || flow.direction === 0 || (p.layers & Layer.TCP) === 0))
      this.dos.onIp(p, flow, timeUs);
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
