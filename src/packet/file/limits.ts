/** Limits of the capture-file readers, with the reason for each. */

/**
 * Largest packet a record may hold. libpcap and Wireshark refuse larger records for the link
 * types Sentra reads (MAXIMUM_SNAPLEN / WTAP_MAX_PACKET_SIZE_STANDARD); a larger length is
 * almost always a corrupt header, and honouring it would make the reader buffer gigabytes.
 */
export const MAX_CAPLEN = 262_144;

/**
 * Largest pcapng block. Wireshark's pcapng reader uses the same bound (MAX_BLOCK_SIZE): real
 * blocks are far smaller, and the reader must buffer a whole block before it can check it.
 */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;

/** Default read size: big enough that per-read overhead vanishes, small enough for any machine. */
export const DEFAULT_CHUNK = 1024 * 1024;
