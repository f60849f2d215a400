/**
 * Reads suricata-verify test directories: test.yaml (requirements, args, checks), the pcap,
 * the rule file, a threshold.config, and decides whether the test is one we can run at all
 * (every rule loads, no custom command, no requirement we cannot meet).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, SentraError } from '../../errors.js';
import {
  loadRuleFiles,
  loadRulesFromString,
  type RuleLoadOptions,
  type RuleLoadResult,
} from '../rules/loader.js';
import { parseSuricataYaml, type RuleVars, varsFromConfig } from '../rules/vars.js';
import { versionSatisfies } from './version.js';

/** The runner expands this in args to the test's directory. */
const TEST_DIR_VAR = '$' + '{TEST_DIR}';

export interface VerifyTestCase {
  name: string;
  dir: string;
  /** Parsed test.yaml. */
  config: Record<string, unknown>;
  checks: Record<string, unknown>[];
  /** Absolute pcap path, or null when none (pcap: false, or none found). */
  pcap: string | null;
  /** The test's rule file, or null (Suricata then runs without detection). */
  rulesFile: string | null;
  /** Vars from the test's suricata.yaml layered over the defaults. */
  vars: RuleVars;
  /** The test's suricata.yaml parsed, or null. */
  suricataYaml: unknown;
  /** `--set key=value` options from args, with ${TEST_DIR} expanded. */
  sets: Record<string, string>;
  /** Simulated IPS mode (--simulate-ips in args, or "ips" in the name as the runner does). */
  ips: boolean;
  /** Other command-line arguments we did not interpret. */
  otherArgs: string[];
  /** Why the test cannot run (requirement, custom command...), or null. */
  notSupported: string | null;
}

/** Test directories under `dir`: itself if it has test.yaml, else every folder below that has one. */
export function discoverTests(dir: string): string[] {
  if (existsSync(path.join(dir, 'test.yaml'))) return [dir];
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e);
      if (!statSync(p).isDirectory()) continue;
      if (existsSync(path.join(p, 'test.yaml'))) out.push(p);
      else walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Reads one test directory. */
export function readTestCase(
  dir: string,
  opts: { version?: string; features?: string[] } = {},
): VerifyTestCase {
  const yamlFile = path.join(dir, 'test.yaml');
  let config: Record<string, unknown>;
  try {
    config = (parseSuricataYaml(readFileSync(yamlFile, 'utf8'), yamlFile) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot read ${yamlFile}: ${(e as Error).message}`, { cause: e });
  }
  const name = path.basename(dir);
  const checks = (Array.isArray(config.checks) ? config.checks : []) as Record<string, unknown>[];
  let notSupported: string | null = null;
  const version = opts.version ?? '8.0.0';
  const features = new Set(opts.features ?? []);
  const requires = (config.requires ?? {}) as Record<string, unknown>;
  const why = versionSatisfies(requires, version);
  if (why) notSupported = why;
  for (const f of (requires.features as string[] | undefined) ?? []) {
    if (!features.has(f)) notSupported ??= `requires feature ${f}`;
  }
  for (const k of Object.keys(requires)) {
    if (['files', 'script', 'env', 'config', 'lambda', 'keyword'].includes(k))
      notSupported ??= `requires ${k}`;
  }
  if (config.command !== undefined) notSupported ??= 'uses a custom command';
  if (config.setup !== undefined) notSupported ??= 'uses a setup script';
  // pcap
  let pcap: string | null = null;
  if (config.pcap === false) pcap = null;
  else if (typeof config.pcap === 'string') pcap = path.resolve(dir, config.pcap);
  else {
    const found = readdirSync(dir).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'));
    if (found.length > 1) notSupported ??= 'more than one pcap file';
    if (found.length >= 1) pcap = path.join(dir, found.sort()[0]);
  }
  if (pcap === null && requires.pcap !== false) notSupported ??= 'no pcap file';
  // rules: the one *.rules file of the directory, as the runner does
  const rules = readdirSync(dir).filter((f) => f.endsWith('.rules'));
  if (rules.length > 1) notSupported ??= 'more than one rule file';
  const rulesFile = rules.length === 1 ? path.join(dir, rules[0]) : null;
  // suricata.yaml
  let suricataYaml: unknown = null;
  const sy = path.join(dir, 'suricata.yaml');
  if (existsSync(sy)) suricataYaml = parseSuricataYaml(readFileSync(sy, 'utf8'), sy);
  const vars = varsFromConfig(suricataYaml);
  // args
  const sets: Record<string, string> = {};
  const otherArgs: string[] = [];
  let ips = name.includes('ips');
  const args = (Array.isArray(config.args) ? config.args : [])
    .flatMap((a) => String(a).split(/\s+/))
    .filter(Boolean);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--set' && i + 1 < args.length) {
      const kv = args[++i].replaceAll(TEST_DIR_VAR, dir);
      const eq = kv.indexOf('=');
      if (eq > 0) sets[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === '--simulate-ips') ips = true;
    else if (a === '-k' && i + 1 < args.length) otherArgs.push(a, args[++i]);
    else otherArgs.push(a);
  }
  return {
    name,
    dir,
    config,
    checks,
    pcap,
    rulesFile,
    vars,
    suricataYaml,
    sets,
    ips,
    otherArgs,
    notSupported,
  };
}

/**
 * Loads the test's rules with its vars and the suite's classification.config and
 * reference.config (found in the suite root above the test, as the runner passes them).
 */
export function loadTestRules(tc: VerifyTestCase, extra: RuleLoadOptions = {}): RuleLoadResult {
  const opts: RuleLoadOptions = { vars: tc.vars, ...extra };
  const y = tc.suricataYaml as Record<string, unknown> | null;
  if (!opts.actionOrder && y && Array.isArray(y['action-order']))
    opts.actionOrder = (y['action-order'] as unknown[]).map(String);
  if (!opts.classifications && !opts.classificationFile) {
    const f = findUp(tc.dir, 'classification.config');
    if (f) opts.classificationFile = f;
  }
  if (!opts.references && !opts.referenceFile) {
    const f = findUp(tc.dir, 'reference.config');
    if (f) opts.referenceFile = f;
  }
  if (tc.rulesFile === null) return loadRulesFromString('', opts, '<no rules>');
  return loadRuleFiles([tc.rulesFile], opts);
}

function findUp(dir: string, file: string): string | undefined {
  let d = path.resolve(dir);
  for (let i = 0; i < 8; i++) {
    const p = path.join(d, file);
    if (existsSync(p)) return p;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}

/** "all rules load" or the first problem: what the runner reports as not-supported. */
export function rulesSupport(result: RuleLoadResult): { allLoad: boolean; reason: string | null } {
  const bad = result.issues.find((i) => i.kind !== 'duplicate') ?? result.issues[0];
  if (!bad) return { allLoad: true, reason: null };
  return { allLoad: false, reason: `${path.basename(bad.file)}:${bad.line}: ${bad.keyword}: ${bad.message}` };
}
