/**
 * Reading a capture file into flows: the streaming reader, the decoder and a {@link FlowTable}
 * put together, every ended flow handed to `onFlow` as it leaves, the rest flushed at the end.
 */
import type { Readable } from 'node:stream';
import { Decoder } from '../packet/decoder.js';
import { type ReadSummary, readCapture } from '../packet/file/reader.js';
import type { PacketRecord } from '../packet/record.js';
import { type EndedFlow, FlowTable, type FlowTableOptions, type FlowTableStats } from './table.js';

export interface ProcessOptions extends Omit<FlowTableOptions, 'onFlow'> {
  /** Called for each flow as it leaves the table (the record is valid during the call only). */
  onFlow: (flow: EndedFlow) => void;
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
}

export interface FlowSummary extends FlowTableStats {
  capture: ReadSummary;
}

/** Reads `input` (path, `-` or a stream) into flows; resolves once every flow has been handed out. */
export async function processCapture(input: string | Readable, opts: ProcessOptions): Promise<FlowSummary> {
  const table = new FlowTable({ ...opts, onFlow: opts.onFlow });
  const decoder = new Decoder();
  const onPacket = (rec: PacketRecord) => {
    table.update(decoder.decode(rec));
  };
  let capture: ReadSummary;
  try {
    capture = await readCapture(input, onPacket, { onProgress: opts.onProgress });
  } finally {
    // flows accepted before damage in the file are still reported
    table.flush();
  }
  return { ...table.stats(), capture };
}
