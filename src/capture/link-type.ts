/**
 * libpcap's pcap_datalink() returns a DLT_* value, while capture files and PacketRecord use
 * LINKTYPE_* values (https://www.tcpdump.org/linktypes.html). They are equal except for a few
 * low numbers whose DLT value differs between operating systems; libpcap maps them the same
 * way when it writes a file (dlt_to_linktype in pcap-common.c).
 */
const DLT_TO_LINKTYPE: Record<number, number> = {
  11: 100, // DLT_ATM_RFC1483 -> LINKTYPE_ATM_RFC1483
  12: 101, // DLT_RAW (Linux, most systems) -> LINKTYPE_RAW
  14: 101, // DLT_RAW (OpenBSD)
  15: 102, // DLT_SLIP_BSDOS
  16: 103, // DLT_PPP_BSDOS
  19: 106, // DLT_ATM_CLIP (Linux) -> LINKTYPE_ATM_CLIP
};

/** The LINKTYPE_* value for a DLT_* value from pcap_datalink(). */
export function dltToLinkType(dlt: number): number {
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}
