/**
 * The alerts of the IDS engine on a capture, as a sorted multiset of
 * `sid timestamp pcap_cnt` lines: the before/after check for detection-neutral speed work.
 *
 *   npx tsx bench/ids-alerts.ts RULES|et-open CAPTURE > alerts.txt
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IdsEngine } from '../src/ids/engine/engine.js';
import { loadRuleFiles } from '../src/ids/rules/loader.js';
import { readCaptureBuffer } from '../src/packet/file/reader.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.resolve(HERE, '..', '..', 'shared', 'corpus');
const [rulesArg, capture] = process.argv.slice(2);
const files =
  rulesArg === 'et-open'
    ? readdirSync(path.join(CORPUS, 'rules', 'et-open'))
        .filter((f) => f.endsWith('.rules'))
        .map((f) => path.join(CORPUS, 'rules', 'et-open', f))
    : [rulesArg];
const { ruleSet } = loadRuleFiles(files);
const lines: string[] = [];
const eng = new IdsEngine({
  ruleSet,
  onAlert: (rec) => {
    const r = rec as unknown as { timestamp: string; pcap_cnt?: number; alert: { signature_id: number } };
    lines.push(`${r.alert.signature_id} ${r.timestamp} ${r.pcap_cnt ?? '-'}`);
  },
});
const c0 = process.cpuUsage();
readCaptureBuffer(readFileSync(capture), (rec) => void eng.processRecord(rec));
eng.finish();
const u = process.cpuUsage(c0);
lines.sort();
process.stdout.write(lines.join('\n') + '\n');
process.stderr.write(`${lines.length} alerts, ${((u.user + u.system) / 1e6).toFixed(2)} s CPU\n`);
