/**
 * An interval index from IPv4 addresses (or the first 32 bits of IPv6 addresses) to rules, for rules without a fast pattern whose
 * source (or destination) is a short, specific address list: IP reputation rules (ET's tor,
 * ciarmy, compromised, drop lists) are thousands of such rules, and a packet should only look
 * at the few whose list holds its address.
 */

export class AddressIndex {
  /** Segment starts, ascending; segment i covers [starts[i], starts[i+1]). */
  private readonly starts: Float64Array;
  private readonly rules: Int32Array[];
  readonly size: number;

  /** `entries`: inclusive IPv4 ranges (as numbers) and the rule each belongs to. */
  constructor(entries: ReadonlyArray<{ from: number; to: number; rule: number }>) {
    const points = new Set<number>();
    for (const e of entries) {
      points.add(e.from);
      points.add(e.to + 1);
    }
    const starts = [...points].sort((a, b) => a - b);
    const lists: number[][] = starts.map(() => []);
    const indexOf = (v: number) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid] === v) return mid;
        if (starts[mid] < v) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    };
    for (const e of entries) {
      const a = indexOf(e.from);
      const b = indexOf(e.to + 1);
      for (let i = a; i < b; i++) lists[i].push(e.rule);
    }
    this.starts = Float64Array.from(starts);
    this.rules = lists.map((l) => Int32Array.from(new Set(l)));
    this.size = new Set(entries.map((e) => e.rule)).size;
  }

  /** Rules whose ranges hold the IPv4 address (4 bytes), or null. */
  lookup(addr: Uint8Array): Int32Array | null {
    if (addr.length !== 4) return null;
    return this.lookupWord(word0(addr));
  }

  /**
   * Rules whose ranges hold the 32-bit value `v`: an IPv4 address, or for an index built on
   * the first 32 bits of IPv6 ranges, those of an IPv6 address.
   */
  lookupWord(v: number): Int32Array | null {
    if (this.starts.length === 0) return null;
    // one packet asks several times (packet, stream and transaction detection, both ways
    // round), and the next packet is often of the same flow: the last two answers are kept
    if (v === this.lastV0) return this.lastR0;
    if (v === this.lastV1) return this.lastR1;
    const r = this.search(v);
    this.lastV1 = this.lastV0;
    this.lastR1 = this.lastR0;
    this.lastV0 = v;
    this.lastR0 = r;
    return r;
  }

  private lastV0 = -1;
  private lastR0: Int32Array | null = null;
  private lastV1 = -1;
  private lastR1: Int32Array | null = null;

  private search(v: number): Int32Array | null {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const r = this.rules[found];
    return r.length ? r : null;
  }
}

/** The first 32 bits of an address (an IPv4 address, or the top of an IPv6 one), unsigned. */
export function word0(a: Uint8Array): number {
  return ((a[0] << 24) >>> 0) + (a[1] << 16) + (a[2] << 8) + a[3];
}
