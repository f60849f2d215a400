/**
 * An interval index from IPv4 addresses to rules, for rules without a fast pattern whose
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
    if (addr.length !== 4 || this.starts.length === 0) return null;
    const v = ((addr[0] << 24) >>> 0) + (addr[1] << 16) + (addr[2] << 8) + addr[3];
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
