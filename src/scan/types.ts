/**
 * Result shapes of the scanner. Field names follow the spec (`open_ports`, `cve_id`, ...) so
 * that the spec facade and `.sn` scripts read them unchanged; every result also carries a
 * `summary` line and a `toString()` (not enumerable, so JSON output stays clean) because the
 * spec's scripts concatenate results into log lines (`"Version: " + version`).
 */

/** State of one probed port, as nmap names them. */
export type PortState = 'open' | 'closed' | 'filtered' | 'open|filtered';

/** Numeric port states used in the scanners' typed arrays (one byte per port). */
export const PortStateCode = {
  PENDING: 0,
  OPEN: 1,
  CLOSED: 2,
  FILTERED: 3,
  OPEN_FILTERED: 4,
} as const;

export type TransportProtocol = 'tcp' | 'udp';

/** How long a port scan took and what it measured. */
export interface ScanTimings {
  /** ISO 8601 start time. */
  started: string;
  /** Wall time of the whole scan in milliseconds. */
  elapsed_ms: number;
  /** Smoothed round-trip time of the probes that got an answer (ms), or null if none did. */
  srtt_ms: number | null;
  /** The per-probe timeout in force at the end of the scan (ms). */
  timeout_ms: number;
  /** Probes sent, retries included. */
  probes: number;
  /** Probes sent again because the first ones got no answer. */
  retries: number;
  /** True when the scan hit its overall deadline; unanswered ports are then reported filtered. */
  timed_out: boolean;
}

/** Result of {@link scanPorts} — the spec's `scan_ports` fields plus details. */
export interface PortScanResult {
  /** The target as given (host name or address). */
  target: string;
  /** The address that was scanned. */
  address: string;
  protocol: TransportProtocol;
  /** Name of the strategy that ran (`connect`, `udp`, ...). */
  strategy: string;
  /** Open ports, ascending. */
  open_ports: number[];
  /** Number of closed ports (they answered with a reset / ICMP port unreachable). */
  closed: number;
  /** Number of filtered ports (no answer, or an ICMP unreachable other than port unreachable). */
  filtered: number;
  /** The filtered ports themselves, ascending. */
  filtered_ports: number[];
  /** UDP only: ports that sent nothing back (open or filtered, undecidable). */
  open_filtered_ports: number[];
  /** Service name by port (as a string key, the spec indexes it with `str(port)`), open ports only. */
  services: Record<string, string>;
  /** Ports probed. */
  scanned: number;
  timings: ScanTimings;
  summary: string;
}

/** One live host found by {@link scanNetwork} — the spec's `ip hostname mac latency`. */
export interface DiscoveredHost {
  ip: string;
  /** Reverse DNS name, or '' when there is none. */
  hostname: string;
  /** Link-layer address from the kernel neighbour table (local segment only), or ''. */
  mac: string;
  /** Best round-trip time seen (ms), or null when only the neighbour table proved the host. */
  latency: number | null;
  /** How the host was found: 'arp', 'icmp', 'tcp'. */
  methods: string[];
  summary: string;
}

/** Result of {@link scanServiceVersion}. */
export interface ServiceInfo {
  target: string;
  port: number;
  protocol: TransportProtocol;
  /** Service name (`ssh`, `http`, `https`, `smtp`, ...), or the port's registered name when unidentified. */
  service: string;
  /** Product (`OpenSSH`, `nginx`), or '' when unknown. */
  product: string;
  /** Version (`9.2p1`, `1.22.1`), or '' when unknown. */
  version: string;
  /** Extra information (`Debian-2+deb12u10`, `protocol 2.0`). */
  extra: string;
  /** CPE 2.3 formatted string, or '' when the product is unknown. */
  cpe: string;
  /** True when the service spoke TLS (then `tls` is set). */
  tunnel: 'tls' | '';
  tls?: TlsInfo;
  /** First bytes the service sent (printable form, at most 256 characters). */
  banner: string;
  /** Name of the probe whose answer identified the service. */
  probe: string;
  /** How sure the match is: 'version' (product + version), 'product', 'service' (protocol only), 'port' (guess by port number). */
  confidence: 'version' | 'product' | 'service' | 'port';
  summary: string;
}

/** What a TLS handshake told about a server. */
export interface TlsInfo {
  /** Negotiated protocol (`TLSv1.3`). */
  protocol: string;
  cipher: string;
  /** ALPN protocol chosen by the server, or ''. */
  alpn: string;
  /** Subject common name of the leaf certificate. */
  subject_cn: string;
  /** DNS names and IP addresses of the subjectAltName extension. */
  alt_names: string[];
  issuer_cn: string;
  valid_from: string;
  valid_to: string;
  /** SHA-256 fingerprint of the leaf certificate (colon-separated hex). */
  fingerprint256: string;
  self_signed: boolean;
}

/** Result of {@link scanOsFingerprint} and of the passive classifier. */
export interface OsGuess {
  target: string;
  /** OS family (`Linux`, `Windows`, `FreeBSD`, `macOS`, `OpenBSD`, `Network device`), or 'unknown'. */
  os: string;
  /** 0-100. */
  confidence: number;
  /** Name of the signature that matched best. */
  signature: string;
  /** What the guess was based on. */
  evidence: SynAckFields & { initial_ttl: number; hops: number; source: 'syn-ack' | 'ttl-only' };
  /** Other candidates, best first. */
  candidates: { os: string; signature: string; confidence: number }[];
  summary: string;
}

/** The fields of a SYN-ACK that fingerprinting uses (from an active probe or a passive capture). */
export interface SynAckFields {
  /** IP TTL (IPv4) or hop limit (IPv6) as received. */
  ttl: number;
  /** TCP window field (unscaled). */
  window: number;
  /** TCP option kinds in order, short names: `mss sok ts nop ws eol` (others as `kN`). */
  options: string[];
  /** MSS option value, or null. */
  mss: number | null;
  /** Window scale option value, or null. */
  wscale: number | null;
  /** IPv4 don't-fragment bit (always true for IPv6). */
  df: boolean;
}

/** One vulnerability finding of {@link scanVulnerabilities} — the spec's fields. */
export interface VulnerabilityFinding {
  cve_id: string;
  /** `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `NONE` or `UNKNOWN`. */
  severity: string;
  /** CVSS base score, or null when the record has none. */
  cvss: number | null;
  /** CVSS version of the score (`3.1`, `4.0`, `2.0`), or ''. */
  cvss_version: string;
  description: string;
  port: number;
  product: string;
  version: string;
  /** The CPE of the detected service that matched. */
  cpe: string;
  /** Why it matched (the record's criterion and range). */
  matched: string;
  summary: string;
}

/** Defines a non-enumerable `toString()` returning `summary`, so string concatenation reads well. */
export function withSummary<T extends { summary: string }>(value: T): T {
  Object.defineProperty(value, 'toString', {
    value: function (this: { summary: string }) {
      return this.summary;
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return value;
}
