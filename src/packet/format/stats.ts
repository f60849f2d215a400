/**
 * Per-protocol packet counts (`sentra decode --stats`): one count per layer name a packet has
 * at any tunnel level, plus the application protocols recognised in it.
 */
import { LAYER_NAMES, Layer } from '../layers/constants.js';
import type { Packet } from '../packet.js';

const BITS = Object.keys(LAYER_NAMES)
  .map(Number)
  .filter((b) => b !== Layer.PAYLOAD);

export class ProtocolStats {
  packets = 0;
  /** Bytes on the wire (frame.len summed). */
  bytes = 0;
  malformed = 0;
  readonly counts = new Map<string, number>();

  add(p: Packet): void {
    this.packets++;
    this.bytes += p.origLen;
    let seen = 0;
    let malformed = false;
    let app: Packet = p;
    for (let q: Packet | null = p; q !== null; q = q.inner) {
      seen |= q.layers;
      if (q.malformed !== 0) malformed = true;
      if (q.innerKind !== 0 && q.inner !== null) app = q.inner;
    }
    for (const bit of BITS) if (seen & bit) this.bump(LAYER_NAMES[bit]);
    if (malformed) this.malformed++;
    if (app.dns() !== null) this.bump('dns');
    else if (app.http() !== null) this.bump('http');
    else if (app.tlsClientHello() !== null) this.bump('tls-client-hello');
    else if (app.sshBanner() !== null) this.bump('ssh-banner');
  }

  private bump(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** Protocols with their counts, most frequent first. */
  rows(): [name: string, packets: number][] {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  toJSON(): { packets: number; bytes: number; malformed: number; protocols: Record<string, number> } {
    return {
      packets: this.packets,
      bytes: this.bytes,
      malformed: this.malformed,
      protocols: Object.fromEntries(this.rows()),
    };
  }
}
