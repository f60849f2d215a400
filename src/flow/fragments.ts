/**
 * Attributes IP fragments to their flow. Only the first fragment carries the transport
 * header, so the ports of each first fragment are remembered under (source, destination,
 * identification, protocol) and looked up for the fragments that follow. The memory is a
 * fixed direct-mapped table: a newer datagram whose entry collides overwrites the older one,
 * so the memory never grows whatever the traffic (a fragment whose entry was overwritten, or
 * that arrives before its first fragment, gets ports 0 and forms a flow of its own).
 */

const WORDS = 6; // hash of src, hash of dst, id, proto, ports, valid

export class FragmentTracker {
  private readonly table: Uint32Array;
  private readonly mask: number;
  /** Later fragments attributed to a remembered first fragment. */
  attributed = 0;
  /** Later fragments whose first fragment was not seen (or was overwritten). */
  unattributed = 0;

  /** `size`: number of datagrams remembered at most (rounded up to a power of two). */
  constructor(size = 4096) {
    let n = 1;
    while (n < size) n <<= 1;
    this.table = new Uint32Array(n * WORDS);
    this.mask = n - 1;
  }

  private slot(srcHash: number, dstHash: number, id: number, proto: number): number {
    let h = Math.imul(srcHash ^ 0x9e3779b9, 0x85ebca6b) ^ dstHash;
    h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ id ^ (proto << 24);
    h ^= h >>> 13;
    return (h & this.mask) * WORDS;
  }

  /** Remembers the ports of a first fragment (offset 0, more fragments set). */
  remember(srcHash: number, dstHash: number, id: number, proto: number, ports: number): void {
    const t = this.table;
    const at = this.slot(srcHash, dstHash, id, proto);
    t[at] = srcHash;
    t[at + 1] = dstHash;
    t[at + 2] = id;
    t[at + 3] = proto;
    t[at + 4] = ports;
    t[at + 5] = 1;
  }

  /** The ports (src << 16 | dst) of a later fragment's datagram, or -1 if unknown. */
  lookup(srcHash: number, dstHash: number, id: number, proto: number): number {
    const t = this.table;
    const at = this.slot(srcHash, dstHash, id, proto);
    if (
      t[at + 5] === 1 &&
      t[at] === srcHash &&
      t[at + 1] === dstHash &&
      t[at + 2] === id &&
      t[at + 3] === proto
    ) {
      this.attributed++;
      return t[at + 4];
    }
    this.unattributed++;
    return -1;
  }

  /** Bytes of memory held (fixed). */
  get bytes(): number {
    return this.table.byteLength;
  }
}
