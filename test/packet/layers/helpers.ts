/** Small helpers for the layer tests: bytes from hex text, one-shot decoding. */
import { Decoder } from '../../../src/packet/decoder.js';
import type { Packet } from '../../../src/packet/packet.js';

/** Bytes from hex text (whitespace ignored), as the layer tests write packets. */
export function hex(strings: TemplateStringsArray): Uint8Array {
  const s = strings.join('').replace(/\s+/g, '');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Decodes one frame with a fresh decoder. */
export function decode(bytes: Uint8Array, linkType = 1, origLen = bytes.length): Packet {
  return new Decoder().decodeBytes(bytes, 0, bytes.length, origLen, linkType, 0, 0);
}

/** A uint32 address as 4 bytes, for formatIPv4. */
export function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
