/**
 * Running a capture file through the anomaly detector, packet by packet: the runner that
 * `sentra anomaly train|score`, the tests and the evaluation share.
 */
import type { Readable } from 'node:stream';
import { Decoder } from '../packet/decoder.js';
import { type ReadSummary, readCapture } from '../packet/file/reader.js';
import type { Packet } from '../packet/packet.js';
import type { PacketRecord } from '../packet/record.js';
import type { KitsuneDetector } from './kitsune/detector.js';

export interface ScoreOptions {
  /**
   * Called for every packet with its score (NaN while training or for a frame without
   * addresses); `pkt` is valid during the call only.
   */
  onScore?: (score: number, pkt: Packet) => void;
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Stop after this many packets. */
  limit?: number;
}

export interface ScoreSummary {
  capture: ReadSummary;
  packets: number;
  /** Packets scored (after training). */
  scored: number;
  /** Scored packets above the threshold. */
  overThreshold: number;
  maxScore: number;
  threshold: number;
}

/** Reads `input` through `detector` (which keeps learning while its training lasts). */
export async function scoreCapture(
  input: string | Readable,
  detector: KitsuneDetector,
  opts: ScoreOptions = {},
): Promise<ScoreSummary> {
  const decoder = new Decoder();
  const onScore = opts.onScore;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  let packets = 0;
  let scored = 0;
  let over = 0;
  let maxScore = 0;
  const onPacket = (rec: PacketRecord) => {
    if (packets >= limit) return;
    packets++;
    const pkt = decoder.decode(rec);
    const s = detector.process(pkt);
    if (!Number.isNaN(s)) {
      scored++;
      if (s > detector.threshold) over++;
      if (s > maxScore) maxScore = s;
    }
    if (onScore !== undefined) onScore(s, pkt);
  };
  const capture = await readCapture(input, onPacket, { onProgress: opts.onProgress });
  return { capture, packets, scored, overThreshold: over, maxScore, threshold: detector.threshold };
}
