/**
 * `sentra anomaly train FILE -o MODEL`: trains Kitsune on a (benign) capture and saves the
 * model. `sentra anomaly score FILE --model MODEL [--onnx CLASSIFIER]`: runs a capture through
 * the trained detector (and/or an ONNX flow classifier) and writes alerts as EVE JSON lines.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { KitsuneDetector } from '../../anomaly/kitsune/detector.js';
import { saveKitsuneModel } from '../../anomaly/kitsune/model-file.js';
import { createAnomalyObserver } from '../../anomaly/observer.js';
import { createOnnxClassifierObserver } from '../../anomaly/onnx/classifier.js';
import { runObservers } from '../../anomaly/run-observers.js';
import { scoreCapture } from '../../anomaly/score-capture.js';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { PacketObserver } from '../../ids/observer.js';
import { readCapture } from '../../packet/file/reader.js';
import { action, type CommandRegistrar, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { formatTable } from '../table.js';

function num(name: string, v: string | undefined, min: number, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, not "${v}"`,
    );
  }
  return n;
}

interface TrainOptions {
  output: string;
  grace?: string;
  mappingGrace?: string;
  seed: string;
  thresholdQuantile?: string;
  thresholdFactor?: string;
  json?: boolean;
}

async function train(file: string, o: TrainOptions): Promise<ExitCodeValue> {
  let grace = num('--grace', o.grace, 20, true);
  if (grace === undefined) {
    // train on the whole file: count its packets first (reading without decoding is quick)
    let n = 0;
    await readCapture(file, () => {
      n++;
    });
    grace = n;
  }
  const det = new KitsuneDetector({
    grace,
    mappingGrace: num('--mapping-grace', o.mappingGrace, 1, true),
    seed: num('--seed', o.seed, 0, true),
    thresholdQuantile: num('--threshold-quantile', o.thresholdQuantile, 0, false),
    thresholdFactor: num('--threshold-factor', o.thresholdFactor, 0, false),
  });
  const progress = createProgress({
    total: 1,
    label: 'training',
    unit: 'MB',
    scale: 1e6,
    enabled: o.json ? false : undefined,
  });
  const started = performance.now();
  let summary: Awaited<ReturnType<typeof scoreCapture>>;
  try {
    summary = await scoreCapture(file, det, {
      limit: grace,
      onProgress: (done, total) => {
        if (total !== undefined) progress.setTotal(total);
        progress.update(done);
      },
    });
  } finally {
    progress.stop();
  }
  const model = saveKitsuneModel(o.output, det);
  const secs = (performance.now() - started) / 1000;
  const result = {
    model: o.output,
    packets: summary.packets,
    trainedPackets: det.net.seen,
    mappingGrace: model.mappingGrace,
    trainingGrace: model.trainingGrace,
    autoencoders: model.groups.length,
    threshold: model.threshold,
    calibration: model.calibration,
    seconds: secs,
  };
  if (o.json) writeJsonLine(result);
  else {
    process.stdout.write(
      `${formatTable(
        ['model', 'packets', 'mapping', 'training', 'autoencoders', 'threshold', 'seconds'],
        [
          [
            o.output,
            result.trainedPackets,
            result.mappingGrace,
            result.trainingGrace,
            result.autoencoders,
            result.threshold.toPrecision(5),
            secs.toFixed(2),
          ],
        ],
      )}\n`,
    );
  }
  return ExitCode.OK;
}

interface ScoreOptions {
  model?: string;
  threshold?: string;
  alertInterval: string;
  onnx?: string;
  scaler?: string;
  columns?: string;
  minProbability: string;
  eve?: string;
  json?: boolean;
}

async function score(file: string, o: ScoreOptions): Promise<ExitCodeValue> {
  if (o.model === undefined && o.onnx === undefined) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'give --model (a trained anomaly model) and/or --onnx (a flow classifier)',
    );
  }
  const observers: PacketObserver[] = [];
  const anomaly =
    o.model !== undefined
      ? createAnomalyObserver({
          model: o.model,
          threshold: num('--threshold', o.threshold, 0, false),
          alertInterval: num('--alert-interval', o.alertInterval, 0, false),
        })
      : undefined;
  if (anomaly) observers.push(anomaly);
  const onnx =
    o.onnx !== undefined
      ? await createOnnxClassifierObserver({
          model: o.onnx,
          scaler: o.scaler,
          columns: o.columns?.split(',').map((s) => s.trim()),
          minProbability: num('--min-probability', o.minProbability, 0, false),
        })
      : undefined;
  if (onnx) observers.push(onnx);
  let out: WriteStream | null = null;
  if (o.eve !== undefined && o.eve !== '-') out = createWriteStream(o.eve);
  const toStdout = o.eve === '-';
  const progress = createProgress({
    total: 1,
    label: 'scoring',
    unit: 'MB',
    scale: 1e6,
    enabled: o.json ? false : undefined,
  });
  const started = performance.now();
  let run: Awaited<ReturnType<typeof runObservers>>;
  try {
    run = await runObservers(file, observers, {
      onAlert: (eve) => {
        const line = `${JSON.stringify(eve)}\n`;
        if (out) out.write(line);
        else if (toStdout) process.stdout.write(line);
      },
      onProgress: (done, total) => {
        if (total !== undefined) progress.setTotal(total);
        progress.update(done);
      },
    });
  } finally {
    progress.stop();
    if (out) {
      const s = out;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.end(() => resolve());
      }).catch((e: Error) => {
        throw new SentraError(ErrorCodes.IO, `cannot write ${o.eve}: ${e.message}`);
      });
    }
    await onnx?.close();
  }
  const secs = (performance.now() - started) / 1000;
  const result = {
    packets: run.packets,
    flows: run.flows,
    alerts: run.alerts,
    anomaly: anomaly ? { threshold: anomaly.detector.threshold, alerts: anomaly.alerts } : undefined,
    classifier: onnx ? { flows: onnx.classified, columns: onnx.columns, classes: onnx.classes } : undefined,
    seconds: secs,
  };
  if (o.json) {
    if (toStdout) process.stderr.write(`${JSON.stringify(result)}\n`);
    else writeJsonLine(result);
  } else {
    const w = toStdout ? process.stderr : process.stdout;
    w.write(
      `${formatTable(
        ['packets', 'flows', 'alerts', 'threshold', 'seconds'],
        [
          [
            run.packets,
            run.flows,
            run.alerts,
            anomaly ? anomaly.detector.threshold.toPrecision(5) : '-',
            secs.toFixed(2),
          ],
        ],
      )}\n`,
    );
  }
  return ExitCode.OK;
}

export const registerAnomaly: CommandRegistrar = (program: Command) => {
  const cmd = program
    .command('anomaly')
    .description('Kitsune online anomaly detection and ONNX flow classifiers');
  cmd
    .command('train')
    .description('train the anomaly detector on a capture of normal traffic and save the model')
    .argument('<file>', 'capture file (pcap or pcapng) of benign traffic')
    .requiredOption('-o, --output <model>', 'where to write the model (JSON)')
    .option('--grace <n>', 'training packets, feature mapping included (default: every packet of the file)')
    .option('--mapping-grace <n>', 'of those, packets that teach the feature mapper (default grace/11)')
    .option('--seed <n>', 'seed of the initial weights', '1')
    .option('--threshold-quantile <q>', 'quantile of the calibration scores (default 0.9)')
    .option('--threshold-factor <f>', 'multiplier of that quantile (default 3)')
    .option('--json', 'print the summary as JSON')
    .action(action((file: string, opts: TrainOptions) => train(file, opts)));
  cmd
    .command('score')
    .description('run a capture through a trained anomaly model and/or an ONNX flow classifier')
    .argument('<file>', 'capture file (pcap or pcapng)')
    .option('--model <file>', 'anomaly model from `sentra anomaly train`')
    .option('--threshold <t>', "alert threshold instead of the model's")
    .option('--alert-interval <s>', 'seconds between two anomaly alerts for one source', '10')
    .option('--onnx <file>', 'ONNX flow classifier over CIC flow columns')
    .option('--scaler <file>', 'with --onnx: JSON {columns, mean, scale} applied before the model')
    .option('--columns <list>', 'with --onnx: comma-separated CIC columns of the model input, in order')
    .option('--min-probability <p>', 'with --onnx: lowest malicious-class probability that alerts', '0.5')
    .option('--eve <file>', 'write alerts as EVE JSON lines here (- for stdout)')
    .option('--json', 'print the summary as JSON')
    .action(action((file: string, opts: ScoreOptions) => score(file, opts)));
};
