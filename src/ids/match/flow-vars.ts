/**
 * Per-flow variables (flowbits, flowint, per-flow thresholds) and per-host / host-pair bits
 * (xbits, hostbits). Names are interned to small integers when rules load ({@link VarNames}),
 * so per-flow state is a set of numbers.
 */
import type { ThresholdEntry } from './threshold.js';

/** Interns flowbit/flowint/xbit names to ids; one table per rule set. */
export class VarNames {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  id(name: string): number {
    let v = this.ids.get(name);
    if (v === undefined) {
      v = this.names.length;
      this.ids.set(name, v);
      this.names.push(name);
    }
    return v;
  }

  lookup(name: string): number | undefined {
    return this.ids.get(name);
  }
}

/** State the engine keeps on each flow for the detector; create it lazily on the flow. */
export class FlowVars {
  bits: Set<number> | null = null;
  ints: Map<number, number> | null = null;
  thresholds: Map<string, ThresholdEntry> | null = null;

  isSet(bit: number): boolean {
    return this.bits?.has(bit) === true;
  }

  set(bit: number): void {
    if (this.bits === null) this.bits = new Set();
    this.bits.add(bit);
  }

  unset(bit: number): void {
    this.bits?.delete(bit);
  }

  toggle(bit: number): void {
    if (this.isSet(bit)) this.unset(bit);
    else this.set(bit);
  }

  getInt(id: number): number | undefined {
    return this.ints?.get(id);
  }

  setInt(id: number, v: number): void {
    if (this.ints === null) this.ints = new Map();
    // flowint is an unsigned 32-bit counter in Suricata
    this.ints.set(id, v >>> 0);
  }

  thresholdMap(): Map<string, ThresholdEntry> {
    if (this.thresholds === null) this.thresholds = new Map();
    return this.thresholds;
  }
}

function addrKey(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
  return s;
}

/** xbits / hostbits storage: bits per host or per host pair, each with an expiry time. */
export class HostBits {
  /** key -> expiry time (seconds, packet clock). */
  private readonly bits = new Map<string, number>();

  private key(bit: number, track: XbitTrack, src: Uint8Array, dst: Uint8Array): string {
    switch (track) {
      case 'ip_src':
        return bit + '|h|' + addrKey(src);
      case 'ip_dst':
        return bit + '|h|' + addrKey(dst);
      case 'ip_pair': {
        // a pair is the same whichever way the packet goes
        const a = addrKey(src);
        const b = addrKey(dst);
        return bit + '|p|' + (a < b ? a + '|' + b : b + '|' + a);
      }
    }
  }

  isSet(bit: number, track: XbitTrack, src: Uint8Array, dst: Uint8Array, now: number): boolean {
    const k = this.key(bit, track, src, dst);
    const exp = this.bits.get(k);
    if (exp === undefined) return false;
    if (now > exp) {
      this.bits.delete(k);
      return false;
    }
    return true;
  }

  set(bit: number, track: XbitTrack, src: Uint8Array, dst: Uint8Array, now: number, expire: number): void {
    this.bits.set(this.key(bit, track, src, dst), now + expire);
  }

  unset(bit: number, track: XbitTrack, src: Uint8Array, dst: Uint8Array): void {
    this.bits.delete(this.key(bit, track, src, dst));
  }

  toggle(bit: number, track: XbitTrack, src: Uint8Array, dst: Uint8Array, now: number, expire: number): void {
    if (this.isSet(bit, track, src, dst, now)) this.unset(bit, track, src, dst);
    else this.set(bit, track, src, dst, now, expire);
  }

  /** Drops expired bits. */
  expire(now: number): void {
    for (const [k, e] of this.bits) if (now > e) this.bits.delete(k);
  }
}

export type XbitTrack = 'ip_src' | 'ip_dst' | 'ip_pair';
