/**
 * Evaluation of the Kitsune anomaly detector on lab captures (issue 11):
 *
 *   npx tsx bench/anomaly-eval.ts [scale]
 *
 * Capture A (made by ../shared/tools/lab-capture.sh at `scale`, default 3): its benign
 * prefix (every packet before the attacker's first) is the grace period, the rest is scored
 * online, as Kitsune runs. Capture B (the corpus's lab-basic, another run of the same lab) is
 * scored by the trained model with fresh traffic statistics. Labels: bench/anomaly-lab.ts.
 * Per attack type: ROC AUC of its packets against every benign packet scored, the
 * true-positive rate at 1% false positives, and the rates at the detector's own threshold.
 * No peer runs in the same run: Kitsune's reference implementation (Python) is not packaged
 * in Debian or npm.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KitsuneDetector } from '../src/anomaly/kitsune/detector.js';
import { kitsuneFromJson, kitsuneModelJson } from '../src/anomaly/kitsune/model-file.js';
import { scoreCapture } from '../src/anomaly/score-capture.js';
import { BENIGN, labCapture, PHASES, PhaseLabeller } from './anomaly-lab.js';
import { markdownTable, writeResults } from './lib/results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAB_BASIC = path.resolve(
  ROOT,
  process.env.SENTRA_SHARED ?? '../shared',
  'corpus',
  'lab',
  'lab-basic.pcap',
);
const SEEDS = [1, 2, 3];

/** Rank-based ROC AUC (ties count one half). */
export function rocAuc(pos: Float64Array, neg: Float64Array): number {
  const n = pos.length + neg.length;
  const s = new Float64Array(n);
  const lab = new Uint8Array(n);
  s.set(pos);
  s.set(neg, pos.length);
  lab.fill(1, 0, pos.length);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
  let sumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && s[order[j]] === s[order[i]]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (lab[order[k]] === 1) sumPos += rank;
    i = j;
  }
  return (sumPos - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** TPR at the largest threshold whose FPR is at most `fpr` (scores above it are positive). */
function tprAtFpr(pos: Float64Array, neg: Float64Array, fpr: number): number {
  const sorted = Float64Array.from(neg).sort();
  const allowed = Math.floor(fpr * sorted.length);
  const t = sorted[sorted.length - 1 - allowed];
  let tp = 0;
  for (const v of pos) if (v > t) tp++;
  return tp / pos.length;
}

function rate(a: Float64Array, t: number): number {
  let n = 0;
  for (const v of a) if (v > t) n++;
  return a.length ? n / a.length : 0;
}

interface Run {
  seed: number;
  threshold: number;
  grace: number;
  byPhase: number[][];
  benign: number[];
}

async function evaluate(fileA: string, seed: number): Promise<Run> {
  // the benign prefix of A
  let prefix = -1;
  let n = 0;
  const probe = new PhaseLabeller();
  await scoreCapture(fileA, new KitsuneDetector({ grace: 1e6 }), {
    onScore: (_s, p) => {
      if (prefix < 0 && probe.label(p) !== BENIGN) prefix = n;
      n++;
    },
  });
  const d = new KitsuneDetector({ grace: prefix, seed });
  const byPhase: number[][] = PHASES.map(() => []);
  const benign: number[] = [];
  const collect = (lab: PhaseLabeller) => (s: number, p: Parameters<PhaseLabeller['label']>[0]) => {
    const l = lab.label(p);
    if (Number.isNaN(s)) return;
    if (l === BENIGN) benign.push(s);
    else byPhase[l].push(s);
  };
  await scoreCapture(fileA, d, { onScore: collect(new PhaseLabeller()) });
  const m = kitsuneFromJson(kitsuneModelJson(d));
  await scoreCapture(LAB_BASIC, m, { onScore: collect(new PhaseLabeller()) });
  return { seed, threshold: d.threshold, grace: prefix, byPhase, benign };
}

const scale = Number(process.argv[2] ?? 3);
const fileA = await labCapture(scale, 'a');
const runs: Run[] = [];
for (const seed of SEEDS) runs.push(await evaluate(fileA, seed));

const rows: (string | number)[][] = [];
const first = runs[0];
const neg0 = Float64Array.from(first.benign);
const aucs = (f: (r: Run) => [Float64Array, Float64Array]) => runs.map((r) => rocAuc(...f(r)));
const fmtRange = (v: number[]) => `${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)}`;
PHASES.forEach((ph, i) => {
  const pos = Float64Array.from(first.byPhase[i]);
  const auc = aucs((r) => [Float64Array.from(r.byPhase[i]), Float64Array.from(r.benign)]);
  rows.push([
    ph,
    pos.length,
    auc[0].toFixed(3),
    fmtRange(auc),
    tprAtFpr(pos, neg0, 0.01).toFixed(3),
    rate(pos, first.threshold).toFixed(3),
  ]);
});
const allPos = (r: Run) => Float64Array.from(r.byPhase.flat());
const allAuc = aucs((r) => [allPos(r), Float64Array.from(r.benign)]);
rows.push([
  '**all attacks**',
  allPos(first).length,
  allAuc[0].toFixed(3),
  fmtRange(allAuc),
  tprAtFpr(allPos(first), neg0, 0.01).toFixed(3),
  rate(allPos(first), first.threshold).toFixed(3),
]);
const table = markdownTable(
  ['attack', 'packets', 'AUC (seed 1)', `AUC seeds ${SEEDS.join(',')}`, 'TPR @ 1% FPR', 'TPR @ threshold'],
  rows,
);
const body = [
  `Capture A: \`lab-capture.sh\` at scale ${scale}; grace = its benign prefix (${first.grace} packets); the rest of A scored online, then lab-basic.pcap scored by the saved model (fresh statistics).`,
  `Benign packets scored: ${neg0.length} (A after the grace period and lab-basic); false-positive rate at the detector's own threshold (${first.threshold.toPrecision(4)}): ${rate(neg0, first.threshold).toFixed(4)}.`,
  'Labels: attacker address plus attack phase found from the packets (bench/anomaly-lab.ts); the truth file gives no times.',
  "No peer in the same run: Kitsune (the authors' Python code) is not packaged in Debian or npm.",
  '',
  table,
].join('\n');
console.log(body);
writeResults('anomaly-eval', 'Anomaly detection quality (Kitsune, lab captures)', body);
