/** Shared helpers for the IDS rule tests. */
import { readFileSync } from 'node:fs';
import { loadClassificationFile } from '../../src/ids/rules/classification.js';
import { loadRulesFromString, type RuleLoadResult } from '../../src/ids/rules/loader.js';
import { splitRules } from '../../src/ids/rules/text.js';
import { corpusPath } from '../helpers/corpus.js';

export const ET_DIR = 'rules/et-open';

/** classification.config of the suricata-verify suite (Suricata's standard list). */
export function svClassifications() {
  return loadClassificationFile(corpusPath('suricata-verify', 'classification.config'));
}

export function etClassifications() {
  return loadClassificationFile(corpusPath(ET_DIR, 'classification.config'));
}

/** The text of the enabled rule with this sid in an ET Open file. */
export function etRule(file: string, sid: number): string {
  const text = readFileSync(corpusPath(ET_DIR, file), 'latin1');
  const r = splitRules(text).find((x) => !x.disabled && x.text.includes(`sid:${sid};`));
  if (!r) throw new Error(`sid ${sid} not found in ${file}`);
  return r.text;
}

/** Loads rules with the ET classification list; fails the test on any issue unless allowed. */
export function load(text: string, allowIssues = false): RuleLoadResult {
  const r = loadRulesFromString(text, { classifications: etClassifications(), references: new Map() });
  if (!allowIssues && r.issues.length) throw new Error(JSON.stringify(r.issues, null, 1));
  return r;
}

export const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
