/**
 * One running IDS, as `ids_start` makes it: the signature engine with the behavioural
 * detectors and the custom rules attached, reading a capture file or a live interface in the
 * background, its alerts in a bounded store. Rules are added and removed while it runs:
 * patterns go to the custom rule observer, Suricata rule text to the engine.
 */
import { readFileSync, statSync } from 'node:fs';
import { LiveCapture } from '../capture/live.js';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import { IdsEngine } from '../ids/engine/engine.js';
import type { AlertInfo, IdsStats } from '../ids/engine/types.js';
import type { EveAlertRecord } from '../ids/eve.js';
import type { PacketObserver } from '../ids/observer.js';
import { compileRuleText, loadRuleSources, type RuleSource } from '../ids/rules/loader.js';
import { readCapture } from '../packet/file/reader.js';
import { AlertStore, type IdsAlert } from './alert-store.js';
import { type DetectConfigInput, type DetectSwitches, resolveDetectConfig } from './config.js';
import {
  CUSTOM_SID_BASE,
  type CustomRule,
  type CustomRuleInput,
  CustomRuleSet,
  compileCustomRule,
} from './custom-rules.js';
import { createDetectorGroup } from './registry.js';

export interface IdsInstanceOptions extends DetectSwitches {
  /** Detector thresholds, windows and severities (docs/detect.md). */
  detectors?: DetectConfigInput;
  /** Suricata rule files loaded at start. */
  ruleFiles?: string[];
  /** Alerts kept in memory (default 10,000; older ones leave). */
  maxAlerts?: number;
  /** Live capture: BPF filter and network namespace. */
  filter?: string;
  netns?: string;
  /** Called for every alert once stored (auto-response). */
  onAlert?: (alert: IdsAlert, rule: CustomRule | null) => void;
}

export type IdsStatus = 'running' | 'finished' | 'stopped' | 'failed';

/** A rule added at run time: a custom pattern or Suricata rule text. */
export interface AddedRule {
  id: string;
  kind: 'pattern' | 'suricata';
  name: string;
  /** The pattern or the rule text. */
  text: string;
  severity: string | null;
  action: string;
  /** Signature ids the rule raises alerts with. */
  sids: number[];
}

const SURICATA_RULE =
  /^\s*(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass)\s+\S+\s+\S+\s+\S+\s+(->|<>)\s+\S+\s+\S+\s*\(/;

/** Whether `text` is a Suricata rule rather than a pattern. */
export function isSuricataRule(text: string): boolean {
  return SURICATA_RULE.test(text);
}

/** A path to a capture file rather than an interface name. */
export function isCaptureFile(source: string): boolean {
  try {
    return statSync(source).isFile();
  } catch {
    return /\.(pcap|pcapng|cap)$/i.test(source);
  }
}

export class IdsInstance {
  readonly kind: 'pcap' | 'interface';
  readonly engine: IdsEngine;
  readonly store: AlertStore;
  readonly custom = new CustomRuleSet();
  readonly detectorNames: string[];
  readonly startedAt = Date.now();
  endedAt: number | null = null;
  status: IdsStatus = 'running';
  error: SentraError | null = null;
  /** Resolves when the input is done (end of file, stop, or failure); never rejects. */
  readonly done: Promise<void>;
  private readonly rules = new Map<string, AddedRule>();
  private nextRule = 1;
  private readonly ac = new AbortController();
  private cap: LiveCapture | null = null;
  private timer: NodeJS.Timeout | null = null;
  private resolveDone: () => void = () => {};

  constructor(
    readonly id: string,
    readonly source: string,
    private readonly opts: IdsInstanceOptions = {},
  ) {
    if (typeof source !== 'string' || source === '') {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        'ids_start needs an interface name or a capture file path',
      );
    }
    this.kind = isCaptureFile(source) ? 'pcap' : 'interface';
    const cfg = resolveDetectConfig(opts.detectors ?? {}, opts);
    const group = createDetectorGroup(cfg);
    this.detectorNames = group.members;
    const observers: PacketObserver[] = group.members.length > 0 ? [group] : [];
    observers.push(this.custom);
    const sources: RuleSource[] = [];
    for (const file of opts.ruleFiles ?? []) {
      sources.push({ file, content: readText(file) });
    }
    const loaded = loadRuleSources(sources);
    this.store = new AlertStore(checkCapacity(opts.maxAlerts));
    this.engine = new IdsEngine({
      ruleSet: loaded.ruleSet,
      ruleSources: sources,
      observers,
      onAlert: (rec, info) => this.onAlert(rec, info),
    });
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
  }

  /** Starts reading in the background (opening a live interface may throw at once). */
  start(): void {
    if (this.kind === 'pcap') {
      readCapture(this.source, (rec) => this.engine.processRecord(rec), { signal: this.ac.signal }).then(
        () => this.end(this.status === 'running' ? 'finished' : this.status),
        (e) => this.end('failed', e),
      );
      return;
    }
    const cap = LiveCapture.open(this.source, { filter: this.opts.filter, netns: this.opts.netns });
    this.cap = cap;
    cap.on('error', (e: unknown) => this.end('failed', e));
    cap.onPacket((rec) => {
      if (this.status === 'running') this.engine.processRecord(rec);
    });
    this.timer = setInterval(() => this.engine.tick(Date.now() * 1000), 1000);
  }

  private onAlert(rec: EveAlertRecord, info: AlertInfo): void {
    const a = this.store.add(rec, info.severity, info.detector);
    const rule = a.rule_id !== null ? (this.custom.get(a.rule_id) ?? null) : null;
    this.opts.onAlert?.(a, rule);
  }

  private end(status: IdsStatus, err?: unknown): void {
    if (this.endedAt !== null) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.cap) {
      this.cap.close();
      this.cap = null;
    }
    try {
      this.engine.finish();
    } catch (e) {
      err ??= e;
    }
    this.status = err !== undefined ? 'failed' : status;
    if (err !== undefined) this.error = toSentraError(err);
    this.endedAt = Date.now();
    this.engine.close().finally(() => this.resolveDone());
  }

  /** Stops reading; alerts and counters stay readable. */
  async stop(): Promise<void> {
    if (this.endedAt === null) {
      this.status = 'stopped';
      if (this.kind === 'pcap') this.ac.abort();
      else this.end('stopped');
    }
    await this.done;
  }

  /** Adds a custom pattern rule (a map) or a Suricata rule (text). */
  addRule(rule: CustomRuleInput | string): AddedRule {
    const id = `rule-${this.nextRule}`;
    const text = typeof rule === 'string' ? rule : rule?.pattern;
    if (typeof text === 'string' && isSuricataRule(text)) {
      const r = compileRuleText(text);
      const sids = r.ruleSet.rules.map((x) => x.sid);
      const clash = this.engine.ruleSet.rules.find((x) => sids.includes(x.sid));
      if (clash) {
        throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `a rule with sid ${clash.sid} is already loaded`, {
          details: { sid: clash.sid },
        });
      }
      this.engine.addRules(text, `${id}.rules`);
      this.nextRule++;
      const added: AddedRule = {
        id,
        kind: 'suricata',
        name: r.ruleSet.rules[0]?.msg ?? text,
        text,
        severity: null,
        action: r.ruleSet.rules[0]?.action ?? 'alert',
        sids,
      };
      this.rules.set(id, added);
      return added;
    }
    if (typeof rule === 'string') rule = { pattern: rule };
    const c = compileCustomRule(id, CUSTOM_SID_BASE + this.nextRule, rule);
    this.nextRule++;
    this.custom.add(c);
    const added: AddedRule = {
      id,
      kind: 'pattern',
      name: c.name,
      text: c.pattern.source,
      severity: c.severity,
      action: c.action,
      sids: [c.sid],
    };
    this.rules.set(id, added);
    return added;
  }

  removeRule(id: string): AddedRule {
    const r = this.rules.get(id);
    if (!r) {
      throw new SentraError(ErrorCodes.NOT_FOUND, `no rule ${JSON.stringify(id)} in ${this.id}`, {
        details: { rule_id: id },
      });
    }
    if (r.kind === 'pattern') this.custom.remove(id);
    else this.engine.removeRules(r.sids.map((sid) => ({ sid })));
    this.rules.delete(id);
    return r;
  }

  listRules(): AddedRule[] {
    return [...this.rules.values()];
  }

  /** Engine counters. */
  stats(): IdsStats {
    return this.engine.stats();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw toSentraError(e, ErrorCodes.IO);
  }
}

function checkCapacity(n: number | undefined): number {
  if (n === undefined) return 10_000;
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `max_alerts must be an integer from 1 to 10,000,000, not ${n}`,
    );
  }
  return n;
}
