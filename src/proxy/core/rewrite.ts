/**
 * Rebuilding heads to forward: the original header lines are copied as runs of bytes, leaving
 * out hop-by-hop headers and the ones the proxy replaces, and the proxy's own lines appended.
 */
import { H_TRANSFER_ENCODING, type HttpHead } from '../http/head.js';

/** Bit for header id `id` in a drop mask. */
export function idBit(id: number): number {
  return 1 << id;
}

/** True when forwarding `head` needs no header removed besides those in `dropMask` being absent. */
export function hasAnyHeader(head: HttpHead, mask: number): boolean {
  for (let i = 0; i < head.count; i++) if ((mask & (1 << head.ids[i])) !== 0) return true;
  return false;
}

/**
 * The header lines of `head` (with their CRLFs) except hop-by-hop ones and those whose id bit
 * is in `dropMask`, as latin1 text so every byte round-trips.
 */
export function keptHeaderLines(head: HttpHead, dropMask: number): string {
  const b = head.buf;
  let out = '';
  let runStart = -1;
  for (let i = 0; i < head.count; i++) {
    const drop = head.drop[i] === 1 || (dropMask & (1 << head.ids[i])) !== 0;
    if (drop) {
      if (runStart >= 0) {
        out += b.toString('latin1', runStart, head.lineStart(i));
        runStart = -1;
      }
    } else if (runStart < 0) {
      runStart = head.lineStart(i);
    }
  }
  if (runStart >= 0) out += b.toString('latin1', runStart, head.end - 2);
  return out;
}

/** Bits of the headers dropped when a chunked body is decoded for an HTTP/1.0 client. */
export const DECHUNK_MASK = 1 << H_TRANSFER_ENCODING;
