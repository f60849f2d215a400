/**
 * A pcap file into CIC CSV rows through the flow addon's capture engine (native/flow/engine.cc):
 * the records are walked, decoded, counted into flows and written as rows in C++, which is what
 * `sentra flows FILE --format cic` spends its time on. The engine hands back every record it
 * does not decode itself (fragments, tunnels, cut or odd headers, other link types): those are
 * decoded here by the JavaScript decoder and keyed by the same code as FlowTable.update
 * (packetFacts), then counted into the engine's table, in file order. The rows are byte for
 * byte those of processCapture + CicWriter (test/flow/native-parity.test.ts).
 *
 * Used only where it can be: the addon is built with the engine, the input is a regular file
 * in the classic pcap format. Otherwise {@link processCaptureCic} returns null and the caller
 * uses the JavaScript engine (processCapture), which also reports every error of the input
 * (missing file, bad magic, pcapng damage) exactly as before.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import { Decoder } from '../packet/decoder.js';
import { MAX_CAPLEN } from '../packet/file/limits.js';
import {
  isPcapMagic,
  PCAP_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  parsePcapHeader,
  pcapInterface,
} from '../packet/file/pcap-format.js';
import { READS_PER_YIELD, ReadWindow, yieldToEventLoop } from '../packet/file/read-window.js';
import type { ReadSummary } from '../packet/file/reader.js';
import { CIC_NO_LABEL } from './cic.js';
import type { PacketFacts } from './features.js';
import { FragmentTracker } from './fragments.js';
import { FLOW_BYTES, KEY_WORDS } from './layout.js';
import { type FlowAddon, flowAddon } from './native.js';
import { packetFacts } from './packet-facts.js';
import type { FlowSummary } from './process.js';
import { FlowTable, type FlowTableOptions } from './table.js';

/** Why engineIngest stopped (io[0]). */
const NEED = 0;
const FALLBACK = 1;
const CORRUPT = 2;
const OUTPUT = 3;

/** The engine this code drives (engineVersion in engine.cc): a stale build is not used. */
const ENGINE_VERSION = 2;

const CHUNK = 1024 * 1024;

export interface CicCaptureOptions extends Omit<FlowTableOptions, 'onFlow' | 'detectApp'> {
  /** Receives the CSV rows (no header) as they are written, in order. */
  onOutput: (csv: Buffer) => void;
  /** The last column's text (default CICFlowMeter's "No Label"). */
  label?: string;
  /** Called after each read with the bytes read so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Called for each record the engine hands back to the JavaScript decoder (for tests). */
  onHandBack?: () => void;
}

/** The flow addon when it carries the capture engine (and SENTRA_FLOW_NATIVE is not 0). */
export function captureEngineAddon(): FlowAddon | null {
  const a = flowAddon();
  return a !== null && a.engineVersion === ENGINE_VERSION ? a : null;
}

/**
 * Reads the pcap file `path` into flows and writes each ended flow's CIC row to `onOutput`
 * (rows only: the caller writes the header). Resolves with the same summary as processCapture,
 * or with null, having read nothing of consequence, when the capture engine cannot take this
 * input (no addon, not a regular file, not classic pcap): use processCapture then. On damage
 * in the file the flows accepted before it are written out and the same SentraError as the
 * JavaScript reader's is thrown (PCAP_TRUNCATED, PCAP_CORRUPT).
 */
export async function processCaptureCic(path: string, opts: CicCaptureOptions): Promise<FlowSummary | null> {
  const addon = captureEngineAddon();
  if (addon === null || path === '-') return null;
  // the JavaScript table validates and normalises the options exactly as for itself
  const ref = new FlowTable({ ...opts, detectApp: false });
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null; // processCapture reports it
  }
  let engine: ReturnType<FlowAddon['engineCreate']> | null = null;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const head = new Uint8Array(PCAP_HEADER_LEN);
    let got = 0;
    while (got < PCAP_HEADER_LEN) {
      const n = readSync(fd, head, got, PCAP_HEADER_LEN - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got < PCAP_HEADER_LEN || !isPcapMagic(head, 0)) return null;
    const h = parsePcapHeader(head, 0);
    const config = Float64Array.of(
      ref.idleUs,
      ref.activeUs,
      ref.tcpTeardown ? 1 : 0,
      ref.rstLingers ? 1 : 0,
      ref.lingerUs,
      ref.byteMode === 'link' ? 0 : ref.byteMode === 'ip' ? 1 : 2,
      ref.maxFlows,
    );
    engine = addon.engineCreate(config, new TextEncoder().encode(opts.label ?? CIC_NO_LABEL));
    const e = engine;
    const frags = new FragmentTracker(opts.fragmentSlots ?? 4096);
    const decoder = new Decoder();
    const key = new Uint32Array(KEY_WORDS);
    const facts: PacketFacts = { ts: 0, bytes: 0, payload: 0, header: 0, flags: 0, window: -1 };
    const io = new Float64Array(8);
    const link = h.linkType;
    const le = !h.bigEndian;
    const nano = h.nanosecond;
    const emit = () => {
      const out = addon.engineTake(e);
      if (out !== null) opts.onOutput(out);
    };
    const counted = () => {
      addon.engineStats(e, stats);
      return stats[0];
    };
    const stats = new Float64Array(13);

    const w = new ReadWindow(CHUNK, PCAP_HEADER_LEN);
    let need = PCAP_RECORD_HEADER_LEN;
    let reads = 0;
    try {
      for (;;) {
        w.makeRoom(need);
        let n: number;
        try {
          n = readSync(fd, w.buf, w.end, w.buf.length - w.end, null);
        } catch (err) {
          const se = toSentraError(err, ErrorCodes.IO);
          throw new SentraError(se.code, `cannot read ${path}: ${se.message}`, {
            cause: err,
            details: se.details,
          });
        }
        if (++reads % READS_PER_YIELD === 0) await yieldToEventLoop();
        if (n === 0) {
          const leftover = w.end - w.start;
          if (leftover > 0) {
            const packets = counted();
            const offset = w.base + w.start;
            throw new SentraError(
              ErrorCodes.PCAP_TRUNCATED,
              `the capture file is truncated: the record at byte ${offset} needs ${need} bytes but only ${leftover} remain (${packets} packets were read before it)`,
              { details: { offset, packets, need, have: leftover } },
            );
          }
          break;
        }
        w.end += n;
        opts.onProgress?.(w.base + w.end, st.size);
        for (;;) {
          addon.engineIngest(e, w.buf, w.start, w.end, link, le, nano, io);
          w.start = io[1];
          const status = io[0];
          if (status === NEED) {
            need = io[2];
            break;
          }
          if (status === OUTPUT) {
            emit();
          } else if (status === FALLBACK) {
            opts.onHandBack?.();
            const capLen = io[5];
            const p = decoder.decodeBytes(
              w.buf,
              w.start + PCAP_RECORD_HEADER_LEN,
              capLen,
              io[6],
              link,
              io[3],
              io[4],
              0,
            );
            if (packetFacts(p, ref.byteMode, frags, key, facts) === null) addon.engineSkip(e);
            else
              addon.enginePacket(
                e,
                key,
                facts.ts,
                facts.bytes,
                facts.payload,
                facts.header,
                facts.flags,
                facts.window,
              );
            w.start += PCAP_RECORD_HEADER_LEN + capLen;
          } else if (status === CORRUPT) {
            const offset = w.base + w.start;
            const capLen = io[2];
            throw new SentraError(
              ErrorCodes.PCAP_CORRUPT,
              `corrupt pcap record at byte ${offset}: captured length ${capLen} exceeds the maximum of ${MAX_CAPLEN}`,
              { details: { offset, packets: counted(), capLen } },
            );
          } else {
            throw new SentraError(ErrorCodes.INTERNAL, `the capture engine stopped with status ${status}`);
          }
        }
        emit();
      }
    } finally {
      // flows accepted before damage in the file are still written
      // a large table is flushed in steps, its rows written out as they come
      while (!addon.engineFlush(e)) emit();
      emit();
    }
    addon.engineStats(e, stats);
    const iface = pcapInterface(h);
    const capture: ReadSummary = {
      format: 'pcap',
      packets: stats[0],
      bytes: w.base + w.start,
      stopped: false,
      interfaces: [iface],
      pcapHeader: h,
    };
    return {
      packets: stats[0],
      skipped: stats[1],
      flows: stats[2],
      active: stats[3],
      peakActive: stats[4],
      evicted: stats[5],
      ended: {
        idle: stats[6],
        active: stats[7],
        fin: stats[8],
        rst: stats[9],
        evicted: stats[10],
        end: stats[11],
      },
      fragmentsAttributed: frags.attributed,
      fragmentsUnattributed: frags.unattributed,
      bytesPerFlow: FLOW_BYTES,
      bytesHeld: stats[12] + frags.bytes,
      capture,
    };
  } finally {
    if (engine !== null) addon.engineFree(engine);
    closeSync(fd);
  }
}
