/** Applies the signature database to one probe answer. */
import { productCpe } from '../cpe.js';
import type { ProbeName } from './probes.js';
import { type ServiceSignature, SIGNATURES } from './signatures.js';

export interface SignatureMatch {
  signature: ServiceSignature;
  service: string;
  product: string;
  version: string;
  extra: string;
  cpe: string;
  soft: boolean;
}

function fill(template: string | undefined, m: RegExpExecArray): string {
  if (!template) return '';
  return template
    .replace(/\$(\d)/g, (_, d: string) => m[Number(d)] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The best match of `answer` (the probe's reply) among the signatures that read `probe`'s
 * answers: the first hard match, else the first soft one, else null.
 */
export function matchAnswer(
  probe: ProbeName,
  answer: Buffer,
  signatures: readonly ServiceSignature[] = SIGNATURES,
): SignatureMatch | null {
  if (answer.length === 0) return null;
  const text = answer.toString('latin1');
  let soft: SignatureMatch | null = null;
  for (const sig of signatures) {
    if (!sig.probes.includes(probe)) continue;
    if (sig.soft && soft) continue;
    const m = sig.match.exec(text);
    if (!m) continue;
    const product = fill(sig.product, m);
    const version = fill(sig.version, m);
    const found: SignatureMatch = {
      signature: sig,
      service: sig.service,
      product,
      version,
      extra: fill(sig.extra, m),
      cpe: sig.cpe ? productCpe(sig.cpe.vendor, sig.cpe.product, version, sig.cpe) : '',
      soft: Boolean(sig.soft),
    };
    if (!sig.soft) return found;
    soft = found;
  }
  return soft;
}

/** Printable form of an answer for the result's `banner` field: control bytes escaped, 256 characters at most. */
export function printable(answer: Buffer): string {
  const s = answer.subarray(0, 512).toString('latin1');
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '\\x' + c.toString(16).padStart(2, '0');
    if (out.length >= 256) break;
  }
  return out.slice(0, 256);
}
