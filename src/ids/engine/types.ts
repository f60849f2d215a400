/**
 * Public types of the signature IDS engine: its options, the outputs it writes to, and the
 * counters it reports. The engine itself is {@link IdsEngine} (engine.ts).
 */

import type { DnsEveVersion } from '../app/dns/eve.js';
import type { HttpConfig } from '../app/http/config.js';
import type { EveAlertRecord, EveRecord } from '../eve.js';
import type { CompiledRule } from '../match/rule.js';
import type { RuleSet } from '../match/ruleset.js';
import type { PacketObserver, SeverityWord } from '../observer.js';
import type { DropLogOptions } from '../output/drop-record.js';
import type { RuleLoadOptions, RuleSource } from '../rules/loader.js';
import type { ThresholdConfig } from '../rules/threshold-config.js';
import type { StreamConfig } from '../stream/config.js';

/**
 * Where EVE records go (a file writer, an in-memory list, a socket...). `write` is called
 * synchronously on the packet path with a fresh record object the sink may keep.
 */
export interface EveSink {
  write(rec: EveRecord): void;
  /** Called once by {@link IdsEngine.finish} after the last record. */
  close?(): void | Promise<void>;
}

/** What the engine knows about an alert besides its EVE record. */
export interface AlertInfo {
  /** The signature that fired, or null for an observer (behavioural detector) alert. */
  rule: CompiledRule | null;
  /** The observer's name for detector alerts, null for signatures. */
  detector: string | null;
  /** Severity word (signatures: from the priority; detectors: their own). */
  severity: SeverityWord;
  /** IPS mode dropped the packet (`alert.action` is "blocked"). */
  blocked: boolean;
}

/** Which EVE record types the engine writes besides alerts. */
export interface EveTypes {
  /** `flow` records when flows end (default false). */
  flow?: boolean;
  /** `http` records per transaction (default false). */
  http?: boolean;
  /** `dns` records per DNS message (default false; true: format version 3, Suricata 8's). */
  dns?: boolean | { version?: DnsEveVersion };
  /** `tls` records per handshake (default false). */
  tls?: boolean;
  /** `ssh` records when both banners are seen (default false). */
  ssh?: boolean;
  /** `fileinfo` records for HTTP bodies (default false). */
  fileinfo?: boolean;
  /** `drop` records for packets dropped in IPS mode (default false; true: Suricata's defaults). */
  drop?: boolean | DropLogOptions;
  /** A final `stats` record from {@link IdsEngine.finish} (default false). */
  stats?: boolean;
  /** `payload`, `payload_printable` and `stream` in alert records (default false). */
  payload?: boolean;
  /** `alert.metadata` in alert records (Suricata's default: true). */
  metadata?: boolean;
}

/** Engine settings (Suricata's suricata.yaml equivalents where they exist). */
export interface IdsEngineConfig {
  /** Flow idle timeout, seconds (default 120). */
  flowIdleTimeout?: number;
  /** Flow active timeout, seconds (default 1800). */
  flowActiveTimeout?: number;
  /** Most flows held at once (default 1,000,000). */
  maxFlows?: number;
  /**
   * What to do with a TCP session picked up without its handshake while midstream pick-up
   * is off (Suricata's `stream.midstream-policy`): 'ignore' (default: inspect its packets),
   * 'pass-flow' or 'bypass' (stop inspecting the flow), 'drop-flow' / 'reject' (IPS: drop it).
   */
  midstreamPolicy?:
    | 'ignore'
    | 'pass-flow'
    | 'bypass'
    | 'drop-flow'
    | 'reject'
    | 'pass-packet'
    | 'drop-packet';
  /**
   * Inspect TCP data as it arrives (Suricata's `stream.inline`; always on in IPS mode).
   * Off (IDS default): a direction's data is inspected once the other side acknowledged it,
   * the rest when the flow ends.
   */
  streamInline?: boolean;
  /** Stream reassembly (depth, midstream pick-up...). */
  stream?: Partial<StreamConfig>;
  /** HTTP parser limits. */
  http?: Partial<HttpConfig>;
  /**
   * Parse HTTP transactions (bodies included) on every HTTP flow. Off (default), HTTP is
   * parsed only when something reads it — transaction rules, EVE http / fileinfo / stats
   * records, HTTP observers — so `stats().transactions.http` counts nothing otherwise; bodies
   * are kept and decompressed only for transaction rules, fileinfo, stats and observers.
   * (TLS handshakes likewise: parsed for transaction rules, `tls.version` rules, EVE tls or
   * stats records.)
   */
  alwaysParseHttp?: boolean;
  /** threshold.config entries (suppress, threshold, rate_filter). */
  thresholdConfig?: ThresholdConfig | null;
  /** EVE record types to write; alerts are always written. */
  eve?: EveTypes;
  /** Written as `in_iface` in records (live capture). */
  inIface?: string;
  /** Time zone offset of EVE timestamps, minutes east of UTC (default 0: +0000). */
  tzOffsetMinutes?: number;
}

export interface IdsEngineOptions {
  /** The compiled rules (from `loadRuleFiles`). */
  ruleSet: RuleSet;
  /**
   * The rule texts the set was loaded from, and the options used: needed only for
   * {@link IdsEngine.addRules}, which reloads them with the new rules.
   */
  ruleSources?: RuleSource[];
  ruleLoadOptions?: RuleLoadOptions;
  /** Non-signature detectors; each is attached once, in order. */
  observers?: PacketObserver[];
  /** Inline (IPS) mode: drop/reject rules drop packets (and flows), `alert.action` "blocked". */
  ips?: boolean;
  /** Outputs for every EVE record (alerts and the enabled {@link EveTypes}). */
  sinks?: EveSink[];
  /** Called for every alert (signature or observer) after the sinks. */
  onAlert?: (rec: EveAlertRecord, info: AlertInfo) => void;
  config?: IdsEngineConfig;
}

/** What {@link IdsEngine.processRecord} decides for a packet. */
export const Verdict = {
  /** Let the packet through (always, outside IPS mode). */
  ACCEPT: 0,
  /** IPS: a drop/reject rule matched this packet or its flow was dropped earlier. */
  DROP: 1,
} as const;
export type VerdictValue = (typeof Verdict)[keyof typeof Verdict];

/** Alerts of one signature (or detector sid) in {@link IdsStats}. */
export interface SignatureCount {
  gid: number;
  sid: number;
  rev: number;
  msg: string;
  severity: number;
  /** The observer's name for detector alerts, null for signatures. */
  detector: string | null;
  count: number;
}

/** Counters of an engine run. */
export interface IdsStats {
  packets: number;
  /** Bytes of the packets on the wire. */
  bytes: number;
  /** Packets with no IP layer (ARP...) or whose headers were malformed. */
  nonIp: number;
  malformed: number;
  /** Flows started. */
  flows: number;
  /** Flows in the table now. */
  activeFlows: number;
  alerts: number;
  /** Alerts by `alert.severity` (1 high ... 3+ low), as a record keyed by severity. */
  alertsBySeverity: Record<string, number>;
  /** Alerts per signature, most frequent first. */
  alertsBySignature: SignatureCount[];
  /** IPS: packets dropped. */
  dropped: number;
  /** Rules in the active rule set. */
  rulesLoaded: number;
  /** Detection calls by kind. */
  inspections: { packet: number; stream: number; tx: number };
  /**
   * Application-layer transactions seen by protocol. HTTP and TLS count parsed transactions:
   * 0 when nothing read them (see {@link IdsEngineConfig.alwaysParseHttp}).
   */
  transactions: { http: number; dns: number; tls: number; ssh: number };
  /** Stream reassembly counters (gaps, overlaps...). */
  stream: Record<string, number>;
  /** First and last packet time, seconds (0 when none). */
  firstTs: number;
  lastTs: number;
}
