/**
 * Application-protocol guess for a flow: the packet layer's application decoders (DNS, HTTP,
 * TLS ClientHello, SSH banner) are asked about the first few payload packets of each flow;
 * when none recognises its payload, the well-known server port gives a guess, marked as such.
 */
import type { Packet } from '../packet/packet.js';
import { F_APP, F_APP_TRIES } from './layout.js';

/** Payload packets inspected per flow before giving up (bounds the per-flow cost). */
export const APP_TRIES = 4;

export const AppProto = { UNKNOWN: 0, DNS: 1, HTTP: 2, TLS: 3, SSH: 4 } as const;
const NAMES = ['', 'DNS', 'HTTP', 'TLS', 'SSH'];

/** Well-known ports used for the guess when no decoder recognised the traffic. */
const PORT_GUESS = new Map<number, string>([
  [20, 'FTP_DATA'],
  [21, 'FTP'],
  [22, 'SSH'],
  [23, 'Telnet'],
  [25, 'SMTP'],
  [53, 'DNS'],
  [67, 'DHCP'],
  [68, 'DHCP'],
  [80, 'HTTP'],
  [110, 'POP3'],
  [123, 'NTP'],
  [137, 'NetBIOS'],
  [138, 'NetBIOS'],
  [139, 'NetBIOS'],
  [143, 'IMAP'],
  [161, 'SNMP'],
  [389, 'LDAP'],
  [443, 'TLS'],
  [445, 'SMB'],
  [465, 'SMTPS'],
  [514, 'Syslog'],
  [546, 'DHCPV6'],
  [547, 'DHCPV6'],
  [853, 'DoT'],
  [993, 'IMAPS'],
  [995, 'POP3S'],
  [1883, 'MQTT'],
  [1900, 'SSDP'],
  [3306, 'MySQL'],
  [3389, 'RDP'],
  [5353, 'MDNS'],
  [5355, 'LLMNR'],
  [5432, 'PostgreSQL'],
  [8080, 'HTTP'],
]);

/** Inspects one payload packet of the flow at `b` unless the flow is decided or out of tries. */
export function detectApp(F: Float64Array, b: number, p: Packet): void {
  if (F[b + F_APP] !== 0 || F[b + F_APP_TRIES] >= APP_TRIES) return;
  F[b + F_APP_TRIES]++;
  if (p.dns() !== null) F[b + F_APP] = AppProto.DNS;
  else if (p.tlsClientHello() !== null) F[b + F_APP] = AppProto.TLS;
  else if (p.sshBanner() !== null) F[b + F_APP] = AppProto.SSH;
  else if (p.http() !== null) F[b + F_APP] = AppProto.HTTP;
}

/** The protocol name and whether it is only a port-based guess. */
export function appName(
  code: number,
  srcPort: number,
  dstPort: number,
  proto: number,
): { name: string; guessed: boolean } {
  if (code > 0) return { name: NAMES[code], guessed: false };
  if (proto === 6 || proto === 17) {
    const g = PORT_GUESS.get(dstPort) ?? PORT_GUESS.get(srcPort);
    if (g !== undefined) return { name: g, guessed: true };
  }
  return { name: 'Unknown', guessed: true };
}
