/**
 * `sentra flows FILE|-` or `sentra flows -i IF`: a capture file or a live interface into
 * bidirectional flows, as CICFlowMeter's CSV (CSE-CIC-IDS2018 columns) or JSON Lines, written as
 * flows end; a summary on stderr at the end.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ErrorCodes, SentraError, toSentraError } from '../../errors.js';
import { processCaptureCic } from '../../flow/capture-engine.js';
import { cicHeader } from '../../flow/cic.js';
import { CicWriter } from '../../flow/cic-writer.js';
import { flowJson } from '../../flow/jsonl.js';
import { type FlowSummary, processCapture } from '../../flow/process.js';
import type { ByteMode, EndedFlow, FlowTableStats } from '../../flow/table.js';
import { action, type CommandRegistrar } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { formatTable } from '../table.js';
import { processLive } from './flows-live.js';

interface FlowsOptions {
  output?: string;
  format: string;
  idleTimeout: string;
  activeTimeout: string;
  tcpTeardown: boolean;
  closeLinger: string;
  bytes: string;
  maxFlows: string;
  json?: boolean;
  interface?: string;
  filter?: string;
  netns?: string;
  count?: string;
  duration?: string;
}

const FLUSH_AT = 256 * 1024;

function seconds(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name} must be a positive number of seconds, not "${v}"`,
    );
  }
  return n;
}

async function openOutput(path: string | undefined): Promise<{ out: Writable; owned: boolean }> {
  if (path === undefined || path === '-') return { out: process.stdout, owned: false };
  const out = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (e) => {
      const err = toSentraError(e, ErrorCodes.IO);
      reject(
        new SentraError(err.code, `cannot create ${path}: ${err.message}`, { cause: e, details: { path } }),
      );
    });
  });
  return { out, owned: true };
}

/** What a run produced: the table's counters and where the packets came from. */
interface RunSummary extends FlowTableStats {
  /** 'pcap', 'pcapng' or 'live'. */
  format: string;
  inputBytes: number;
}

function summaryJson(s: RunSummary, seconds: number) {
  return {
    ...s,
    seconds,
    packetsPerSecond: seconds > 0 ? Math.round(s.packets / seconds) : 0,
  };
}

async function run(file: string | undefined, o: FlowsOptions): Promise<ExitCodeValue> {
  if ((file === undefined) === (o.interface === undefined)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'give either a capture file (or - for stdin) or -i INTERFACE for a live capture',
    );
  }
  if (file !== undefined && (o.filter || o.netns || o.count || o.duration)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, '-f, --netns, -c and --duration apply to -i only');
  }
  const format = o.format;
  if (format !== 'cic' && format !== 'jsonl') {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `--format must be cic or jsonl, not "${format}"`);
  }
  const bytes = o.bytes as ByteMode;
  if (bytes !== 'link' && bytes !== 'ip' && bytes !== 'payload') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `--bytes must be link, ip or payload, not "${o.bytes}"`,
    );
  }
  const idleTimeout = seconds('--idle-timeout', o.idleTimeout);
  const activeTimeout = seconds('--active-timeout', o.activeTimeout);
  const closeLinger = Number(o.closeLinger);
  if (o.closeLinger.trim() === '' || !Number.isFinite(closeLinger) || closeLinger < 0) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `--close-linger must be 0 or more seconds, not "${o.closeLinger}"`,
    );
  }
  const maxFlows = Number(o.maxFlows);
  if (!Number.isInteger(maxFlows) || maxFlows < 1) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `--max-flows must be a positive integer, not "${o.maxFlows}"`,
    );
  }
  const { out, owned } = await openOutput(o.output);
  let pending: string[] = [];
  let pendingLen = 0;
  let writeError: Error | null = null;
  out.on('error', (e) => {
    writeError = e;
  });
  const push = (line: string) => {
    pending.push(line);
    pendingLen += line.length + 1;
    if (pendingLen >= FLUSH_AT) flush();
  };
  // CIC rows are written as bytes into one buffer (see cic-writer.ts); JSON lines as strings
  const rows = format === 'cic' ? new CicWriter() : null;
  const flush = () => {
    if (rows !== null && rows.length > 0) out.write(rows.take());
    if (pending.length === 0) return;
    out.write(pending.join('\n') + '\n');
    pending = [];
    pendingLen = 0;
  };
  rows?.line(cicHeader());
  const progress = createProgress({
    total: 1,
    label: 'flows',
    unit: 'MB',
    scale: 1e6,
    enabled: o.json ? false : undefined,
  });
  const started = performance.now();
  let summary: RunSummary | undefined;
  let interrupted = false;
  let failure: unknown;
  try {
    const tableOpts = {
      idleTimeout,
      activeTimeout,
      tcpTeardown: o.tcpTeardown,
      closeLinger,
      bytes,
      maxFlows,
      // the application guess is a JSON Lines field only: CIC rows do not need it
      detectApp: format === 'jsonl',
      onFlow:
        rows !== null
          ? (f: EndedFlow) => {
              rows.row(f.table, f.slot);
              if (rows.length >= FLUSH_AT) flush();
            }
          : (f: EndedFlow) => push(JSON.stringify(flowJson(f.table, f.slot))),
    };
    if (o.interface !== undefined) {
      const live = await processLive({
        ...tableOpts,
        // live rows are written as flows end, not held back until the buffer fills
        onFlow: (f) => {
          tableOpts.onFlow(f);
          flush();
        },
        interface: o.interface,
        filter: o.filter,
        netns: o.netns,
        count: o.count !== undefined ? positiveNumber('-c', o.count, true) : undefined,
        duration: o.duration !== undefined ? positiveNumber('--duration', o.duration, false) : undefined,
      });
      interrupted = live.interrupted;
      summary = { ...live.stats, format: 'live', inputBytes: 0 };
    } else {
      const onProgress = (done: number, total: number | undefined) => {
        if (total !== undefined) progress.setTotal(total);
        progress.update(done);
      };
      // CIC rows from a pcap file: the flow addon's capture engine when it is built (the same
      // bytes as the JavaScript engine, which takes every other input)
      let result: FlowSummary | null = null;
      if (rows !== null) {
        flush(); // the header first
        result = await processCaptureCic(file as string, {
          ...tableOpts,
          onOutput: (csv) => out.write(csv),
          onProgress,
        });
      }
      result ??= await processCapture(file as string, { ...tableOpts, onProgress });
      const { capture, ...stats } = result;
      summary = { ...stats, format: capture.format, inputBytes: capture.bytes };
    }
  } catch (e) {
    failure = e;
  } finally {
    progress.stop();
    // flows accepted before a damaged record are written out all the same
    flush();
    if (owned) await new Promise<void>((resolve) => out.end(() => resolve()));
    else if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  if (writeError !== null) throw toSentraError(writeError, ErrorCodes.IO);
  if (failure !== undefined) throw failure;
  if (summary === undefined) throw new SentraError(ErrorCodes.INTERNAL, 'no summary');
  const secs = (performance.now() - started) / 1000;
  const sj = summaryJson(summary, secs);
  if (o.json) {
    // stdout carries the flows unless they went to a file
    const text = JSON.stringify(sj) + '\n';
    if (owned) process.stdout.write(text);
    else process.stderr.write(text);
  } else {
    const e = summary.ended;
    process.stderr.write(
      formatTable(
        ['summary', 'value'],
        [
          ['packets', summary.packets],
          ['packets not in flows (not IP)', summary.skipped],
          ['flows', summary.flows],
          ['ended idle / active / fin / rst', `${e.idle} / ${e.active} / ${e.fin} / ${e.rst}`],
          ['evicted (table full)', summary.evicted],
          ['flushed at end of input', e.end],
          ['peak concurrent flows', summary.peakActive],
          ['bytes per active flow', summary.bytesPerFlow],
          ['fragments attributed / not', `${summary.fragmentsAttributed} / ${summary.fragmentsUnattributed}`],
          ['seconds', secs.toFixed(2)],
          ['packets per second', sj.packetsPerSecond],
        ],
      ),
    );
  }
  return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
}

function positiveNumber(name: string, v: string, integer: boolean): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `${name} must be a positive ${integer ? 'whole ' : ''}number, not "${v}"`,
    );
  }
  return n;
}

export const registerFlows: CommandRegistrar = (program: Command) => {
  program
    .command('flows')
    .description(
      'turn a capture file, stdin or a live interface into bidirectional flows with CICFlowMeter features',
    )
    .argument('[file]', 'pcap or pcapng file, or - for stdin (or use -i for a live interface)')
    .option('-i, --interface <name>', 'capture live on this interface instead of reading a file')
    .option('-f, --filter <expr>', 'with -i: capture filter in tcpdump syntax')
    .option('-c, --count <n>', 'with -i: stop after n packets')
    .option('--duration <s>', 'with -i: stop after s seconds')
    .option('--netns <name>', 'with -i: the interface lives in this network namespace')
    .option('-o, --output <file>', 'write the flows here (default stdout)')
    .option(
      '--format <format>',
      'cic (CICFlowMeter CSE-CIC-IDS2018 CSV) or jsonl (NFStream-style JSON Lines)',
      'cic',
    )
    .option('--idle-timeout <seconds>', 'a flow with no packet for this long ends', '120')
    .option('--active-timeout <seconds>', 'a flow lasting this long ends at its next packet', '1800')
    .option('--no-tcp-teardown', 'do not end TCP flows at FIN from both sides or at RST')
    .option(
      '--close-linger <seconds>',
      'a closed TCP flow waits this long for late packets before it is written',
      '2',
    )
    .option('--bytes <what>', 'what a packet length counts in byte totals: link, ip or payload', 'link')
    .option('--max-flows <n>', 'most concurrent flows; the oldest idle one is evicted beyond', '1000000')
    .option('--json', 'print the summary as JSON (stdout when -o is a file, else stderr)')
    .action(action((file: string | undefined, opts: FlowsOptions) => run(file, opts)));
};
