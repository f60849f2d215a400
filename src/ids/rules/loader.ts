/**
 * Loads rule files into a {@link RuleSet}: every enabled rule is parsed and compiled, or left
 * out with an issue naming file, line and keyword. Counts per missing keyword tell what to
 * implement next.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, SentraError } from '../../errors.js';
import { VarNames } from '../match/flow-vars.js';
import type { CompiledRule } from '../match/rule.js';
import { RuleSet } from '../match/ruleset.js';
import { RuleProblem } from './builder.js';
import { type Classification, loadClassificationFile, loadReferenceFile } from './classification.js';
import { VariantRegistry } from './compile.js';
import { parseRule, type RuleParseEnv } from './parse.js';
import { splitRules } from './text.js';
import { defaultVars, type RuleVars } from './vars.js';

/** Why one rule was not loaded. */
export interface RuleIssue {
  file: string;
  line: number;
  /** The rule's sid when it could be read, else null. */
  sid: number | null;
  /** syntax: malformed; unsupported: uses something Sentra does not implement; duplicate: same gid:sid loaded already. */
  kind: 'syntax' | 'unsupported' | 'duplicate';
  keyword: string;
  message: string;
}

export interface RuleLoadStats {
  files: number;
  /** Enabled rules found (not commented out). */
  enabled: number;
  /** Commented-out rules (`# alert ...`), not loaded. */
  disabled: number;
  loaded: number;
  failed: number;
  /** Rules left out, per keyword that stopped them (unsupported ones only). */
  unsupportedByKeyword: Record<string, number>;
  /** Rules left out as malformed, per keyword. */
  syntaxByKeyword: Record<string, number>;
  /** Milliseconds spent reading, parsing and compiling, and building prefilters. */
  parseMs: number;
  buildMs: number;
}

export interface RuleLoadResult {
  ruleSet: RuleSet;
  issues: RuleIssue[];
  stats: RuleLoadStats;
}

export interface RuleLoadOptions {
  vars?: RuleVars;
  /** classification.config content as a map, or a file to read. Default: classification.config beside the first rule file, then /etc/suricata, then Sentra's built-in data/classification.config. */
  classifications?: Map<string, Classification>;
  classificationFile?: string;
  references?: Map<string, string>;
  referenceFile?: string;
  /** Suricata's `action-order` (default: pass, drop, reject, alert). */
  actionOrder?: readonly string[];
  /** Called after each source is parsed (for progress bars). */
  onProgress?: (doneSources: number, totalSources: number) => void;
}

export interface RuleSource {
  file: string;
  content: string;
}

function findBeside(files: string[], name: string): string | undefined {
  for (const f of files) {
    const p = path.join(path.dirname(f), name);
    if (existsSync(p)) return p;
  }
  const sys = path.join('/etc/suricata', name);
  if (existsSync(sys)) return sys;
  // Sentra ships the standard classtypes and reference systems, so that rule files such as
  // ET Open load with no configuration at all.
  const builtin = fileURLToPath(new URL(`../../../data/${name}`, import.meta.url));
  return existsSync(builtin) ? builtin : undefined;
}

/** Parses rule texts (already read) into a rule set. */
export function loadRuleSources(sources: RuleSource[], opts: RuleLoadOptions = {}): RuleLoadResult {
  const t0 = performance.now();
  const files = sources.map((s) => s.file);
  let classifications = opts.classifications;
  if (!classifications) {
    const f = opts.classificationFile ?? findBeside(files, 'classification.config');
    classifications = f ? loadClassificationFile(f) : new Map();
  }
  let references = opts.references;
  if (!references) {
    const f = opts.referenceFile ?? findBeside(files, 'reference.config');
    references = f ? loadReferenceFile(f) : new Map();
  }
  const varNames = new VarNames();
  const variants = new VariantRegistry();
  const env: RuleParseEnv = {
    vars: opts.vars ?? defaultVars(),
    classifications,
    references,
    variants,
    caches: { addr: new Map(), port: new Map() },
    intern: (n) => varNames.id(n),
  };
  const issues: RuleIssue[] = [];
  const rules: CompiledRule[] = [];
  const seen = new Map<string, CompiledRule>();
  const stats: RuleLoadStats = {
    files: sources.length,
    enabled: 0,
    disabled: 0,
    loaded: 0,
    failed: 0,
    unsupportedByKeyword: {},
    syntaxByKeyword: {},
    parseMs: 0,
    buildMs: 0,
  };
  for (let si = 0; si < sources.length; si++) {
    const src = sources[si];
    if (si > 0) opts.onProgress?.(si, sources.length);
    for (const rt of splitRules(src.content)) {
      if (rt.disabled) {
        stats.disabled++;
        continue;
      }
      if (/^config\s/.test(rt.text)) continue;
      stats.enabled++;
      try {
        const r = parseRule(rt.text, env, { file: src.file, line: rt.line });
        const key = r.gid + ':' + r.sid;
        const prev = seen.get(key);
        if (prev) {
          issues.push({
            file: src.file,
            line: rt.line,
            sid: r.sid,
            kind: 'duplicate',
            keyword: 'sid',
            message: `duplicate signature ${key} (first at ${prev.file}:${prev.line})`,
          });
          stats.failed++;
          continue;
        }
        seen.set(key, r);
        rules.push(r);
      } catch (e) {
        if (!(e instanceof RuleProblem)) throw e;
        const sid = /[(;]\s*sid\s*:\s*(\d+)/.exec(rt.text);
        issues.push({
          file: src.file,
          line: rt.line,
          sid: sid ? Number(sid[1]) : null,
          kind: e.kind,
          keyword: e.keyword,
          message: e.message,
        });
        stats.failed++;
        const table = e.kind === 'unsupported' ? stats.unsupportedByKeyword : stats.syntaxByKeyword;
        table[e.keyword] = (table[e.keyword] ?? 0) + 1;
      }
    }
  }
  opts.onProgress?.(sources.length, sources.length);
  stats.loaded = rules.length;
  const t1 = performance.now();
  const ruleSet = new RuleSet(rules, variants.variants, varNames, opts.actionOrder);
  stats.parseMs = t1 - t0;
  stats.buildMs = performance.now() - t1;
  return { ruleSet, issues, stats };
}

/** Reads and loads rule files. Throws SENTRA_ERR_IO when a file cannot be read. */
export function loadRuleFiles(files: string[], opts: RuleLoadOptions = {}): RuleLoadResult {
  const sources: RuleSource[] = files.map((file) => {
    try {
      return { file, content: readFileSync(file, 'latin1') };
    } catch (e) {
      throw new SentraError(ErrorCodes.IO, `cannot read rule file ${file}: ${(e as Error).message}`, {
        cause: e,
        details: { file },
      });
    }
  });
  return loadRuleSources(sources, opts);
}

/** Convenience for tests and scripts: loads rules from a string. */
export function loadRulesFromString(
  text: string,
  opts: RuleLoadOptions = {},
  file = '<string>',
): RuleLoadResult {
  return loadRuleSources([{ file, content: text }], opts);
}

/**
 * Parses one rule for an API caller (e.g. adding a rule at run time): returns the rule set
 * holding it, or throws SENTRA_ERR_RULE_SYNTAX / SENTRA_ERR_RULE_UNSUPPORTED with the keyword
 * in `details`.
 */
export function compileRuleText(text: string, opts: RuleLoadOptions = {}): RuleLoadResult {
  const r = loadRulesFromString(text, opts, '<rule>');
  const issue = r.issues[0];
  if (issue) {
    const code = issue.kind === 'unsupported' ? ErrorCodes.RULE_UNSUPPORTED : ErrorCodes.RULE_SYNTAX;
    throw new SentraError(code, `rule not loaded: ${issue.keyword}: ${issue.message}`, {
      details: { keyword: issue.keyword, kind: issue.kind, sid: issue.sid, line: issue.line },
    });
  }
  if (r.stats.loaded === 0)
    throw new SentraError(ErrorCodes.RULE_SYNTAX, 'no rule found in the text', {
      details: { kind: 'syntax' },
    });
  return r;
}
