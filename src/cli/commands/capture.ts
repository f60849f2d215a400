/**
 * `sentra capture -i IF [-f FILTER] [-w FILE [-C MB] [-G SEC] [-W N]] [-c N] [--json]`: live
 * capture like tcpdump. With `-w` packets go to pcap files rotated as tcpdump rotates them;
 * without it one tcpdump-like line (or, with --json, one JSON summary) per packet. Stops on
 * SIGINT/SIGTERM (exit 130), after -c packets or --duration seconds (exit 0), and prints
 * tcpdump's three counters on stderr (or one JSON line with --json).
 * `sentra interfaces`: the interfaces libpcap can capture on.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { listInterfaces } from '../../capture/interfaces.js';
import { LiveCapture } from '../../capture/live.js';
import { RotatingPcapWriter } from '../../capture/rotation.js';
import { summarize } from '../../capture/sessions/summary.js';
import { ErrorCodes, SentraError } from '../../errors.js';
import { Decoder } from '../../packet/decoder.js';
import { summaryLine } from '../../packet/format/summary.js';
import { action, type CommandRegistrar, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { runLive } from '../live-run.js';
import { formatTable } from '../table.js';

interface CaptureCliOptions {
  interface: string;
  filter?: string;
  write?: string;
  fileSize?: number;
  rotateSeconds?: number;
  fileCount?: number;
  count?: number;
  snaplen?: number;
  duration?: number;
  netns?: string;
  json?: boolean;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return n;
}

export async function runCapture(
  opts: CaptureCliOptions,
  extraFilter: string[] = [],
): Promise<ExitCodeValue> {
  const filter = [opts.filter, ...extraFilter].filter((x) => x && x !== '').join(' ') || undefined;
  const cap = LiveCapture.open(opts.interface, {
    filter,
    netns: opts.netns,
    snaplen: opts.snaplen,
    immediate: !opts.write,
  });
  const json = opts.json === true;
  let writer: RotatingPcapWriter | null = null;
  if (opts.write) {
    writer = new RotatingPcapWriter(opts.write, {
      maxFileBytes: opts.fileSize !== undefined ? opts.fileSize * 1_000_000 : undefined,
      rotateSeconds: opts.rotateSeconds,
      fileCount: opts.fileCount,
      linkType: cap.linkType,
      snaplen: cap.snaplen,
      nanosecond: false, // tcpdump -w writes microseconds unless asked otherwise
    });
    try {
      await writer.open();
    } catch (e) {
      cap.close();
      throw e;
    }
  }
  process.stderr.write(
    `sentra: listening on ${opts.interface}, link-type ${cap.linkType}, snapshot length ${cap.snaplen} bytes\n`,
  );
  const decoder = new Decoder();
  const {
    packets: seen,
    interrupted: signal,
    failure,
  } = await runLive(cap, { count: opts.count, duration: opts.duration }, (rec) => {
    if (writer) return writer.write(rec);
    if (json) writeJsonLine(summarize(decoder, rec));
    else process.stdout.write(summaryLine(decoder.decode(rec)) + '\n');
    return true;
  });
  const st = cap.stats();
  cap.close();
  if (writer) await writer.close();
  if (json) {
    writeJsonLine({
      summary: {
        packets_captured: seen,
        packets_received_by_filter: st.received,
        packets_dropped_by_kernel: st.droppedKernel,
        packets_dropped_by_interface: st.droppedInterface,
        files: writer ? writer.files : [],
      },
    });
  } else {
    process.stderr.write(
      `${seen} packets captured\n${st.received} packets received by filter\n${st.droppedKernel} packets dropped by kernel\n`,
    );
  }
  if (failure !== undefined) throw failure;
  return signal ? ExitCode.INTERRUPTED : ExitCode.OK;
}

export const registerCapture: CommandRegistrar = (program: Command) => {
  program
    .command('capture')
    .description('capture live packets like tcpdump: to rotating pcap files (-w) or as lines/JSON')
    .requiredOption('-i, --interface <if>', 'interface to capture on (see sentra interfaces)')
    .option('-f, --filter <expr>', 'capture filter in tcpdump syntax (also accepted as trailing words)')
    .option('-w, --write <file>', 'write packets to this pcap file (with -G: a strftime pattern)')
    .option(
      '-C, --file-size <MB>',
      'start a new file when the current one exceeds MB × 1,000,000 bytes (file, file1, file2 ...)',
      positiveNumber,
    )
    .option(
      '-G, --rotate-seconds <s>',
      'start a new file every s seconds; the name goes through strftime',
      positiveInt,
    )
    .option(
      '-W, --file-count <n>',
      'with -C: keep n files, names wrap (file0 ...); with -G only: stop after n files',
      positiveInt,
    )
    .option('-c, --count <n>', 'stop after n packets', positiveInt)
    .option('-s, --snaplen <bytes>', 'bytes kept per packet (default: all)', positiveInt)
    .option('--duration <s>', 'stop after s seconds', positiveNumber)
    .option('--netns <name>', 'the interface lives in this network namespace')
    .option('--json', 'JSON Lines: a summary per packet (without -w) and the counters at the end')
    .argument('[filter...]', 'capture filter words, as tcpdump takes them')
    .action(
      action(async (words: string[], opts: CaptureCliOptions) => {
        if ((opts.fileSize || opts.rotateSeconds || opts.fileCount) && !opts.write) {
          throw new SentraError(ErrorCodes.INVALID_ARGUMENT, '-C, -G and -W need -w FILE');
        }
        return runCapture(opts, words);
      }),
    );

  program
    .command('interfaces')
    .description('list the interfaces live capture can open')
    .option('--netns <name>', 'list the interfaces of this network namespace')
    .option('--json', 'one JSON array')
    .action(
      action(async (opts: { netns?: string; json?: boolean }) => {
        const devs = listInterfaces({ netns: opts.netns });
        if (opts.json) {
          writeJsonLine(devs);
          return ExitCode.OK;
        }
        const rows = devs.map((d) => [
          d.name,
          [
            d.up ? 'up' : 'down',
            d.running ? 'running' : '',
            d.loopback ? 'loopback' : '',
            d.wireless ? 'wireless' : '',
          ]
            .filter(Boolean)
            .join(','),
          d.addresses.map((a) => a.address).join(' '),
          d.description,
        ]);
        process.stdout.write(formatTable(['interface', 'flags', 'addresses', 'description'], rows));
        return ExitCode.OK;
      }),
    );
};
