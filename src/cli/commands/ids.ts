/**
 * `sentra ids FILE|- --rules R.rules [--rules ...] [--detect] [--anomaly]` or `sentra ids -i
 * IFACE ...`: the signature IDS, with the behavioural detectors and the anomaly detector when
 * asked, over a capture file or a live interface. Alerts go to an EVE JSON file
 * (`--eve`) and/or fast.log (`--fast`); a summary table (packets, flows, alerts by signature
 * and severity, rules loaded / left out) ends the run. Exit code 0 whether or not alerts
 * fired; 2 bad usage or rules/config; 3 damaged capture (everything before the damage was
 * inspected); 4 live capture unavailable; 130 interrupted.
 */
import type { Command } from 'commander';
import { createAnomalyObserver } from '../../anomaly/observer.js';
import type { DetectSwitches } from '../../detect/config.js';
import { createDetectors } from '../../detect/registry.js';
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import { loadIdsConfigFile } from '../../ids/engine/config-file.js';
import { runIdsLive, runIdsOnCapture } from '../../ids/engine/run.js';
import type { EveSink, IdsEngineConfig, IdsStats } from '../../ids/engine/types.js';
import type { PacketObserver } from '../../ids/observer.js';
import { EveFileSink } from '../../ids/output/eve-file.js';
import { FastLogSink } from '../../ids/output/fast-log.js';
import { loadRuleFiles, type RuleLoadResult } from '../../ids/rules/loader.js';
import { action, type CommandRegistrar, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { formatTable } from '../table.js';

interface IdsOptions {
  rules: string[];
  eve?: string;
  fast?: string;
  config?: string;
  ips?: boolean;
  eveTypes?: string;
  json?: boolean;
  interface?: string;
  netns?: string;
  filter?: string;
  count?: string;
  duration?: string;
  detect?: string | boolean;
  anomaly?: boolean;
  anomalyModel?: string;
  grace?: string;
}

/** `--detect` names -> the `ids_start` switches they stand for. */
const DETECTOR_SWITCHES: Record<string, (keyof DetectSwitches)[]> = {
  portscan: ['detect_port_scan'],
  dos: ['detect_dos'],
  bruteforce: ['detect_brute_force'],
  webattack: ['detect_sql_injection', 'detect_web_attacks'],
};

/** The behavioural detectors and the anomaly detector the options ask for. */
function observersOf(o: IdsOptions): PacketObserver[] {
  const out: PacketObserver[] = [];
  if (o.detect !== undefined && o.detect !== false) {
    const names =
      o.detect === true
        ? Object.keys(DETECTOR_SWITCHES)
        : o.detect
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    const switches: DetectSwitches = {};
    for (const keys of Object.values(DETECTOR_SWITCHES)) for (const k of keys) switches[k] = false;
    for (const n of names) {
      const keys = DETECTOR_SWITCHES[n];
      if (keys === undefined)
        throw new SentraError(
          ErrorCodes.INVALID_ARGUMENT,
          `--detect: unknown detector "${n}" (known: ${Object.keys(DETECTOR_SWITCHES).join(', ')})`,
        );
      for (const k of keys) switches[k] = true;
    }
    out.push(...createDetectors({}, switches));
  }
  if (o.anomaly || o.anomalyModel !== undefined) {
    out.push(
      createAnomalyObserver({
        model: o.anomalyModel,
        grace: positiveNumber('--grace', o.grace, true),
      }),
    );
  } else if (o.grace !== undefined) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, '--grace applies to --anomaly only');
  }
  return out;
}

const EVE_TYPES = ['flow', 'http', 'fileinfo', 'ssh', 'dns', 'tls', 'drop', 'stats', 'payload'] as const;

function positiveNumber(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name} must be a positive ${integer ? 'integer' : 'number'}, not "${v}"`,
    );
  return n;
}

function eveTypes(list: string | undefined): IdsEngineConfig['eve'] {
  const eve: NonNullable<IdsEngineConfig['eve']> = {};
  if (!list) return eve;
  for (const t of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(EVE_TYPES as readonly string[]).includes(t))
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `--eve-types: unknown type "${t}" (known: ${EVE_TYPES.join(', ')})`,
      );
    eve[t as (typeof EVE_TYPES)[number]] = true;
  }
  return eve;
}

/** The summary as a JSON object. */
function summaryJson(stats: IdsStats, rules: RuleLoadResult, seconds: number) {
  return {
    ...stats,
    rules: { enabled: rules.stats.enabled, loaded: rules.stats.loaded, leftOut: rules.stats.failed },
    seconds,
    packetsPerSecond: seconds > 0 ? Math.round(stats.packets / seconds) : 0,
  };
}

function printSummary(stats: IdsStats, rules: RuleLoadResult, seconds: number): void {
  const out = process.stderr;
  out.write(
    formatTable(
      ['packets', 'MB', 'flows', 'alerts', 'dropped', 'rules loaded', 'rules left out', 'seconds', 'pkt/s'],
      [
        [
          stats.packets,
          (stats.bytes / 1e6).toFixed(1),
          stats.flows,
          stats.alerts,
          stats.dropped,
          rules.stats.loaded,
          rules.stats.failed,
          seconds.toFixed(2),
          seconds > 0 ? Math.round(stats.packets / seconds) : 0,
        ],
      ],
    ),
  );
  const sev = Object.entries(stats.alertsBySeverity);
  if (sev.length)
    out.write(
      '\n' +
        formatTable(
          ['severity', 'alerts'],
          sev.map(([k, v]) => [k, v]),
        ),
    );
  if (stats.alertsBySignature.length) {
    const rows = stats.alertsBySignature
      .slice(0, 20)
      .map((s) => [`${s.gid}:${s.sid}`, s.severity, s.count, s.detector ?? '', s.msg.slice(0, 70)]);
    out.write('\n' + formatTable(['gid:sid', 'severity', 'alerts', 'detector', 'signature'], rows));
    if (stats.alertsBySignature.length > 20)
      out.write(`... and ${stats.alertsBySignature.length - 20} more signatures\n`);
  }
}

async function run(file: string | undefined, o: IdsOptions): Promise<ExitCodeValue> {
  if ((file === undefined) === (o.interface === undefined))
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'give either a capture file (or - for stdin) or -i INTERFACE',
    );
  if (file !== undefined && (o.filter || o.netns || o.duration))
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, '-f, --netns and --duration apply to -i only');
  const observers = observersOf(o);
  if ((!o.rules || o.rules.length === 0) && observers.length === 0)
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'give at least one rule file with --rules, or behavioural detectors (--detect) or --anomaly',
    );
  const count = positiveNumber('-c', o.count, true);
  const duration = positiveNumber('--duration', o.duration, false);
  const cfgFile = o.config ? loadIdsConfigFile(o.config) : null;
  const rules = loadRuleFiles(o.rules ?? [], { vars: cfgFile?.vars });
  for (const i of rules.issues)
    if (!o.json)
      process.stderr.write(
        `sentra: ${i.file}:${i.line}: rule left out (${i.kind} ${i.keyword}): ${i.message}\n`,
      );
  const config: IdsEngineConfig = {
    ...(cfgFile?.engine ?? {}),
    eve: { ...eveTypes(o.eveTypes), stats: false },
  };
  const sinks: EveSink[] = [];
  if (o.eve) sinks.push(new EveFileSink(o.eve));
  if (o.fast) sinks.push(new FastLogSink(o.fast));
  const t0 = performance.now();
  let stats: IdsStats;
  let code: ExitCodeValue = ExitCode.OK;
  const common = { ruleSet: rules.ruleSet, ips: o.ips ?? false, sinks, config, observers };
  if (file !== undefined) {
    const progress = createProgress({
      total: 0,
      label: 'ids',
      unit: 'MB',
      scale: 1e6,
      enabled: o.json ? false : undefined,
    });
    const r = await runIdsOnCapture(file, {
      ...common,
      count,
      onProgress: (done, total) => {
        if (total !== undefined) progress.setTotal(total);
        progress.update(done);
      },
    });
    progress.stop();
    stats = r.stats;
    if (r.failure !== undefined) {
      const err = toSentraError(r.failure);
      process.stderr.write(`sentra: ${err.message} [${err.code}]\n`);
      code = err.code.startsWith('SENTRA_ERR_PCAP') ? ExitCode.DAMAGED_INPUT : ExitCode.FAILURE;
    }
  } else {
    const r = await runIdsLive(o.interface!, {
      ...common,
      filter: o.filter,
      netns: o.netns,
      count,
      duration,
      onOpen: (lt) => {
        // on stderr even with --json (stdout stays JSON), so scripts can wait for it as for tcpdump's
        process.stderr.write(`sentra: listening on ${o.interface}, link-type ${lt}\n`);
      },
    });
    stats = r.stats;
    if (r.interrupted) code = ExitCode.INTERRUPTED;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (o.json) writeJsonLine(summaryJson(stats, rules, Math.round(seconds * 1000) / 1000));
  else printSummary(stats, rules, seconds);
  return code;
}

export const registerIds: CommandRegistrar = (program: Command) => {
  program
    .command('ids')
    .description(
      'IDS over a capture file or a live interface: Suricata rules, behavioural and anomaly detectors; EVE JSON / fast.log alerts',
    )
    .argument('[file]', 'pcap or pcapng file, or - for stdin (or use -i for a live interface)')
    .option(
      '-r, --rules <file>',
      'Suricata/Snort rule file (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--eve <file>', 'write EVE JSON records here (- for stdout)')
    .option('--fast <file>', 'write fast.log alert lines here (- for stdout)')
    .option('--eve-types <list>', `extra EVE records, comma-separated: ${EVE_TYPES.join(', ')}`)
    .option('--config <yaml>', 'sentra.yaml / suricata.yaml: vars, threshold-file, stream settings')
    .option('--ips', 'inline mode: drop rules drop packets and flows (alert.action "blocked")')
    .option('-i, --interface <name>', 'inspect a live interface instead of a file')
    .option('--netns <name>', 'with -i: the interface lives in this network namespace')
    .option('-f, --filter <expr>', 'with -i: capture filter in tcpdump syntax')
    .option('-c, --count <n>', 'stop after n packets')
    .option('--duration <s>', 'with -i: stop after s seconds')
    .option(
      '--detect [list]',
      `behavioural detectors, all or a comma-separated list: ${Object.keys(DETECTOR_SWITCHES).join(', ')}`,
    )
    .option('--anomaly', 'Kitsune anomaly detection (trains online on the first --grace packets)')
    .option('--anomaly-model <file>', 'a model from `sentra anomaly train` (implies --anomaly)')
    .option('--grace <n>', 'with --anomaly and no model: packets to train on (default 55,000)')
    .option('--json', 'print the summary as one JSON object')
    .action(action(async (file: string | undefined, o: IdsOptions) => run(file, o)));
};
