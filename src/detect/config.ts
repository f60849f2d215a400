/**
 * Configuration of the behavioural detectors: thresholds, windows and severities, with the
 * defaults documented in docs/detect.md. Users pass a partial object; {@link resolveDetectConfig}
 * fills the rest and rejects values that make no sense with a SentraError naming the key.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { SEVERITY_WORDS, type SeverityWord } from '../ids/observer.js';

export interface PortScanConfig {
  enabled: boolean;
  /** Sliding window of the scan counts, seconds. */
  windowSec: number;
  /** Distinct ports of one host probed without a session (vertical scan). */
  verticalPorts: number;
  /** Distinct hosts probed on one port without a session (horizontal scan). */
  horizontalHosts: number;
  /** Connections the client aborted before any data (half-open or connect-then-reset). */
  probeConnections: number;
  /** Half-open connections: SYN, SYN-ACK, then RST from the client (nmap -sS). */
  synScanProbes: number;
  /** FIN, NULL or XMAS packets (no legitimate TCP sends them) from one source. */
  stealthPackets: number;
  /** New flows starting with a bare ACK answered by RST (nmap -sA). */
  ackScanProbes: number;
  /** A SYN or UDP probe with no answer for this long counts as unanswered, seconds. */
  probeTimeoutSec: number;
  severity: SeverityWord;
  /** Severity of the low-count probe and signature alerts. */
  probeSeverity: SeverityWord;
}

export interface DosConfig {
  enabled: boolean;
  /** SYNs without a completed handshake toward one host and port, per second. */
  synPerSec: number;
  /** UDP datagrams toward one host and port per second, with fewer answers than {@link udpReplyRatio}. */
  udpPerSec: number;
  /** A UDP target answering more than this share of datagrams is busy, not flooded. */
  udpReplyRatio: number;
  /** ICMP echo requests toward one host per second. */
  icmpPerSec: number;
  synSeverity: SeverityWord;
  udpSeverity: SeverityWord;
  icmpSeverity: SeverityWord;
}

export interface BruteForceConfig {
  enabled: boolean;
  windowSec: number;
  /** Short sessions from one client to one authentication service within the window. */
  sessions: number;
  /** A session shorter than this (seconds) with both sides talking counts as one attempt. */
  maxSessionSec: number;
  /** ... and with less than this many payload bytes from the client. */
  maxClientBytes: number;
  /** TCP ports of authentication services. */
  ports: number[];
  /** HTTP 401/403 answers to one client within the window. */
  httpDenials: number;
  severity: SeverityWord;
}

export interface WebAttackConfig {
  enabled: boolean;
  sqlInjection: boolean;
  xss: boolean;
  pathTraversal: boolean;
  commandInjection: boolean;
  /** Request body bytes inspected. */
  maxBodyBytes: number;
  /** At most this many alerts per rule and client per minute (a flood of attacks is one story). */
  maxAlertsPerMinute: number;
  sqlSeverity: SeverityWord;
  xssSeverity: SeverityWord;
  traversalSeverity: SeverityWord;
  commandSeverity: SeverityWord;
}

export interface DetectConfig {
  portscan: PortScanConfig;
  dos: DosConfig;
  bruteforce: BruteForceConfig;
  webattack: WebAttackConfig;
  /** Most sources (or targets) each detector tracks at once; the oldest leave beyond. */
  maxTracked: number;
  /** One alert per detector, rule and source (or target) per this many seconds. */
  suppressSec: number;
}

export const DEFAULT_DETECT_CONFIG: DetectConfig = {
  portscan: {
    enabled: true,
    windowSec: 60,
    verticalPorts: 15,
    horizontalHosts: 10,
    probeConnections: 3,
    synScanProbes: 5,
    stealthPackets: 5,
    ackScanProbes: 10,
    probeTimeoutSec: 3,
    severity: 'medium',
    probeSeverity: 'low',
  },
  dos: {
    enabled: true,
    synPerSec: 200,
    udpPerSec: 1000,
    udpReplyRatio: 0.5,
    icmpPerSec: 500,
    synSeverity: 'high',
    udpSeverity: 'high',
    icmpSeverity: 'medium',
  },
  bruteforce: {
    enabled: true,
    windowSec: 60,
    sessions: 10,
    maxSessionSec: 30,
    maxClientBytes: 16384,
    ports: [21, 22, 23, 25, 110, 143, 465, 587, 993, 995, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 27017],
    httpDenials: 10,
    severity: 'high',
  },
  webattack: {
    enabled: true,
    sqlInjection: true,
    xss: true,
    pathTraversal: true,
    commandInjection: true,
    maxBodyBytes: 65536,
    maxAlertsPerMinute: 30,
    sqlSeverity: 'high',
    xssSeverity: 'high',
    traversalSeverity: 'high',
    commandSeverity: 'critical',
  },
  maxTracked: 65536,
  suppressSec: 60,
};

/** A partial configuration: any key may be left out. */
export type DetectConfigInput = {
  [K in keyof DetectConfig]?: DetectConfig[K] extends object ? Partial<DetectConfig[K]> : DetectConfig[K];
};

function bad(key: string, what: string, v: unknown): never {
  throw new SentraError(
    ErrorCodes.INVALID_CONFIG,
    `detector setting ${key} must be ${what}, not ${JSON.stringify(v)}`,
    { details: { key, value: v } },
  );
}

function check(section: string, base: Record<string, unknown>, input: unknown): Record<string, unknown> {
  if (input === undefined) return { ...base };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) bad(section, 'an object', input);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    const key = `${section}.${k}`;
    if (!(k in base)) bad(key, `one of ${Object.keys(base).join(', ')}`, k);
    const d = base[k];
    if (typeof d === 'boolean') {
      if (typeof v !== 'boolean') bad(key, 'true or false', v);
    } else if (typeof d === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(key, 'a positive number', v);
      if (Number.isInteger(d) && k !== 'udpReplyRatio' && !Number.isInteger(v) && !k.endsWith('Sec')) {
        bad(key, 'a positive integer', v);
      }
      if (k === 'udpReplyRatio' && (v as number) > 1) bad(key, 'a number from 0 to 1', v);
    } else if (typeof d === 'string') {
      if (!(SEVERITY_WORDS as readonly string[]).includes(v as string))
        bad(key, 'low, medium, high or critical', v);
    } else if (Array.isArray(d)) {
      if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
        bad(key, 'a list of ports', v);
      }
      out[k] = [...v];
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** The spec's `ids_start` switches, mapped to detector sections. */
export interface DetectSwitches {
  detect_port_scan?: boolean;
  detect_dos?: boolean;
  detect_sql_injection?: boolean;
  detect_brute_force?: boolean;
  /** Sentra's own: the other web attacks (XSS, traversal, command injection); default on. */
  detect_web_attacks?: boolean;
}

/** Fills defaults, validates, and applies the spec's switches (a switch set to false turns its detector off). */
export function resolveDetectConfig(
  input: DetectConfigInput = {},
  switches: DetectSwitches = {},
): DetectConfig {
  const d = DEFAULT_DETECT_CONFIG;
  if (typeof input !== 'object' || input === null) bad('detectors', 'an object', input);
  for (const k of Object.keys(input)) if (!(k in d)) bad(k, `one of ${Object.keys(d).join(', ')}`, k);
  const cfg: DetectConfig = {
    portscan: check('portscan', { ...d.portscan }, input.portscan) as unknown as PortScanConfig,
    dos: check('dos', { ...d.dos }, input.dos) as unknown as DosConfig,
    bruteforce: check('bruteforce', { ...d.bruteforce }, input.bruteforce) as unknown as BruteForceConfig,
    webattack: check('webattack', { ...d.webattack }, input.webattack) as unknown as WebAttackConfig,
    maxTracked: input.maxTracked ?? d.maxTracked,
    suppressSec: input.suppressSec ?? d.suppressSec,
  };
  if (!Number.isInteger(cfg.maxTracked) || cfg.maxTracked < 16)
    bad('maxTracked', 'an integer of 16 or more', cfg.maxTracked);
  if (typeof cfg.suppressSec !== 'number' || !(cfg.suppressSec >= 0))
    bad('suppressSec', '0 or more seconds', cfg.suppressSec);
  for (const [name, key] of [
    ['detect_port_scan', 'portscan'],
    ['detect_dos', 'dos'],
    ['detect_brute_force', 'bruteforce'],
  ] as const) {
    const v = switches[name];
    if (v !== undefined && typeof v !== 'boolean') bad(name, 'true or false', v);
    if (v === false) cfg[key].enabled = false;
  }
  if (switches.detect_sql_injection === false) cfg.webattack.sqlInjection = false;
  if (switches.detect_web_attacks === false) {
    cfg.webattack.xss = false;
    cfg.webattack.pathTraversal = false;
    cfg.webattack.commandInjection = false;
  }
  const w = cfg.webattack;
  if (!w.sqlInjection && !w.xss && !w.pathTraversal && !w.commandInjection) w.enabled = false;
  return cfg;
}
