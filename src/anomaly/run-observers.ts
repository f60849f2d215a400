/**
 * A small engine for files: readCapture → Decoder → FlowTable → observers, with the hooks of
 * the IDS observer contract (onPacket after the flow table counted the packet, onFlowEnd as
 * flows leave, tick once per second of packet time, finish at the end). Used by
 * `sentra anomaly score`, the tests and the evaluation; `sentra ids` has its own engine.
 * Observers with a `flush(): Promise<void>` (the ONNX classifier) are awaited at the end.
 */
import type { Readable } from 'node:stream';
import { FlowTable, type FlowTableOptions } from '../flow/table.js';
import type { EveAlertRecord } from '../ids/eve.js';
import { buildDetectorAlert, type DetectorAlert, type PacketObserver } from '../ids/observer.js';
import { Decoder } from '../packet/decoder.js';
import { type ReadSummary, readCapture } from '../packet/file/reader.js';
import type { PacketRecord } from '../packet/record.js';

export interface RunObserversOptions {
  flow?: Omit<FlowTableOptions, 'onFlow'>;
  /** Every alert as an EVE record, in the order raised. */
  onAlert?: (eve: EveAlertRecord, alert: DetectorAlert, observer: PacketObserver) => void;
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
}

export interface RunSummary {
  capture: ReadSummary;
  packets: number;
  flows: number;
  alerts: number;
}

/** Runs a capture file through `observers`; resolves when every flow has ended and `finish` ran. */
export async function runObservers(
  input: string | Readable,
  observers: PacketObserver[],
  opts: RunObserversOptions = {},
): Promise<RunSummary> {
  let alerts = 0;
  for (const o of observers) {
    o.attach({
      emit(a: DetectorAlert) {
        alerts++;
        opts.onAlert?.(buildDetectorAlert(a, o.name), a, o);
      },
    });
  }
  const flowObs = observers.filter((o) => o.onFlowEnd !== undefined);
  const pktObs = observers.filter((o) => o.onPacket !== undefined);
  const tickObs = observers.filter((o) => o.tick !== undefined);
  const table = new FlowTable({
    ...opts.flow,
    onFlow: (f) => {
      for (const o of flowObs) o.onFlowEnd?.(f);
    },
  });
  const decoder = new Decoder();
  let packets = 0;
  let nextTick = 0;
  const onPacket = (rec: PacketRecord) => {
    packets++;
    const pkt = decoder.decode(rec);
    const timeUs = pkt.tsSec * 1e6 + Math.floor(pkt.tsNsec / 1000);
    if (timeUs >= nextTick) {
      for (const o of tickObs) o.tick?.(timeUs);
      nextTick = timeUs - (timeUs % 1e6) + 1e6;
    }
    const flow = table.update(pkt);
    for (const o of pktObs) o.onPacket?.(pkt, flow, timeUs);
  };
  let capture: ReadSummary;
  try {
    capture = await readCapture(input, onPacket, { onProgress: opts.onProgress });
  } finally {
    table.flush();
    for (const o of observers) o.finish?.();
  }
  // observers that work asynchronously (the ONNX classifier) finish their last batch
  for (const o of observers) {
    const f = (o as { flush?: () => Promise<void> }).flush;
    if (typeof f === 'function') await f.call(o);
  }
  return { capture, packets, flows: table.stats().flows, alerts };
}
