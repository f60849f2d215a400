/**
 * A captured packet as it comes out of a capture file or a live interface, before decoding.
 * Readers and live capture reuse one record object and overwrite it for every packet, so a
 * consumer that keeps anything beyond the callback must copy it (`data.slice()`).
 */
export interface PacketRecord {
  /** Link-layer header type of `data` (a LINKTYPE_* number, see {@link LinkType}). */
  linkType: number;
  /** Capture time: whole seconds since the Unix epoch. */
  tsSec: number;
  /** Nanoseconds within the second, 0-999,999,999 (microsecond files are scaled up). */
  tsNsec: number;
  /** Number of bytes captured, equal to `data.length`. */
  capLen: number;
  /** Length of the packet on the wire (may exceed capLen when the snaplen cut it). */
  origLen: number;
  /** The captured bytes: a view that is valid only until the next packet is delivered. */
  data: Uint8Array;
  /** Interface index: the pcapng interface (IDB) number; 0 for pcap files and live capture. */
  ifIndex: number;
  /**
   * Zero-copy form of `data`, optional: when set, the packet's bytes are
   * `buffer[offset, offset + capLen)`. File readers set it (their `data` is then a view made on
   * demand), so a decoder on the hot path reads the bytes in place without creating a view per
   * packet. Producers that only have `data` leave it unset.
   */
  buffer?: Uint8Array;
  /** Where the packet begins in `buffer` (meaningful only when `buffer` is set). */
  offset?: number;
}

/** LINKTYPE_* values from https://www.tcpdump.org/linktypes.html that Sentra decodes. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  C_HDLC: 104,
  RAW: 101,
  LINUX_SLL: 113,
  LOOP: 108,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export function newPacketRecord(): PacketRecord {
  return {
    linkType: LinkType.ETHERNET,
    tsSec: 0,
    tsNsec: 0,
    capLen: 0,
    origLen: 0,
    data: new Uint8Array(0),
    ifIndex: 0,
  };
}
