/** A set of ports 0-65535 as sorted disjoint inclusive ranges (the compiled form of a port group). */
export class PortSet {
  readonly any: boolean;
  /** [from0, to0, from1, to1, ...] */
  readonly ranges: Uint16Array;

  constructor(ranges: Array<[number, number]>) {
    const s = ranges.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const [a, b] of s) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    this.ranges = new Uint16Array(merged.length * 2);
    merged.forEach(([a, b], i) => {
      this.ranges[i * 2] = a;
      this.ranges[i * 2 + 1] = b;
    });
    this.any = merged.length === 1 && merged[0][0] === 0 && merged[0][1] === 65535;
  }

  has(port: number): boolean {
    if (this.any) return true;
    const r = this.ranges;
    let lo = 0;
    let hi = (r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (port < r[mid * 2]) hi = mid - 1;
      else if (port > r[mid * 2 + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Number of ports in the set. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += this.ranges[i + 1] - this.ranges[i] + 1;
    return n;
  }
}

export const ANY_PORT = new PortSet([[0, 65535]]);
