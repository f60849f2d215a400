/**
 * The record object that file readers fill and reuse for every packet. It carries the packet's
 * bytes in place (`buffer` + `offset`, no per-packet view), and makes the `data` view only when
 * someone asks for it.
 */
import type { PacketRecord } from '../record.js';
import { LinkType } from '../record.js';

const EMPTY = new Uint8Array(0);

export class CaptureRecord implements PacketRecord {
  linkType: number = LinkType.ETHERNET;
  tsSec = 0;
  tsNsec = 0;
  capLen = 0;
  origLen = 0;
  ifIndex = 0;
  buffer: Uint8Array = EMPTY;
  offset = 0;

  /** A view of the packet's bytes, made on each access: keep it in a local if you use it twice. */
  get data(): Uint8Array {
    return this.buffer.subarray(this.offset, this.offset + this.capLen);
  }
}
