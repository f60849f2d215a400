/**
 * Buffer transforms (Suricata's "transformation" keywords placed after a sticky buffer):
 * dotprefix, to_lowercase, to_uppercase, strip_whitespace, compress_whitespace, url_decode,
 * to_md5, to_sha1, to_sha256. A rule list with transforms reads a derived buffer, computed
 * once per detection call and shared by every rule with the same buffer + transform chain.
 */
import { createHash } from 'node:crypto';

export const TRANSFORMS = [
  'dotprefix',
  'to_lowercase',
  'to_uppercase',
  'strip_whitespace',
  'compress_whitespace',
  'url_decode',
  'to_md5',
  'to_sha1',
  'to_sha256',
] as const;

export type TransformName = (typeof TRANSFORMS)[number];

export function isTransform(name: string): name is TransformName {
  return (TRANSFORMS as readonly string[]).includes(name);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Applies one transform; returns a new array (transforms run once per buffer, not per rule). */
export function applyTransform(name: TransformName, input: Uint8Array): Uint8Array {
  switch (name) {
    case 'dotprefix': {
      const out = new Uint8Array(input.length + 1);
      out[0] = 0x2e;
      out.set(input, 1);
      return out;
    }
    case 'to_lowercase':
      return input.map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c));
    case 'to_uppercase':
      return input.map((c) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c));
    case 'strip_whitespace':
      return input.filter((c) => !isSpace(c));
    case 'compress_whitespace': {
      const out: number[] = [];
      for (let i = 0; i < input.length; i++) {
        if (isSpace(input[i])) {
          if (out.length > 0 && isSpace(out[out.length - 1])) continue;
        }
        out.push(input[i]);
      }
      return Uint8Array.from(out);
    }
    case 'url_decode': {
      const out: number[] = [];
      for (let i = 0; i < input.length; i++) {
        const c = input[i];
        if (
          c === 0x25 &&
          i + 2 < input.length + 0 &&
          hexVal(input[i + 1]) >= 0 &&
          hexVal(input[i + 2]) >= 0
        ) {
          out.push(hexVal(input[i + 1]) * 16 + hexVal(input[i + 2]));
          i += 2;
        } else if (c === 0x2b) out.push(0x20);
        else out.push(c);
      }
      return Uint8Array.from(out);
    }
    case 'to_md5':
      return new Uint8Array(createHash('md5').update(input).digest());
    case 'to_sha1':
      return new Uint8Array(createHash('sha1').update(input).digest());
    case 'to_sha256':
      return new Uint8Array(createHash('sha256').update(input).digest());
  }
}

export function applyTransforms(names: readonly TransformName[], input: Uint8Array): Uint8Array {
  let b = input;
  for (const n of names) b = applyTransform(n, b);
  return b;
}
