/**
 * `sentra decode FILE|-`: decodes a pcap or pcapng capture. One tcpdump-like line per packet by
 * default; `--json` prints JSON Lines whose keys are Wireshark field names and whose values are
 * what `tshark -T fields` prints; `--stats` adds per-protocol counts. A damaged capture prints
 * every packet before the damage, then fails with exit code 3.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { Decoder } from '../../packet/decoder.js';
import { readCapture } from '../../packet/file/reader.js';
import { PacketFilter } from '../../packet/filter/index.js';
import { packetFields } from '../../packet/format/fields.js';
import { ProtocolStats } from '../../packet/format/stats.js';
import { summaryLine } from '../../packet/format/summary.js';
import { action, type CommandRegistrar } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { formatTable } from '../table.js';

export interface DecodeOptions {
  json?: boolean;
  /** Stop after this many packets have been printed (counted after the filter). */
  count?: number;
  stats?: boolean;
  /** No per-packet output (useful with stats). */
  quiet?: boolean;
  /**
   * A capture-filter expression (pcap-filter(7), as tcpdump takes it): only matching packets
   * are decoded and counted. Checked on the raw frame before decoding, as libpcap does.
   */
  filter?: string;
  /** Where output goes; stdout by default. */
  out?: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

/** Output flushed in chunks of about this size: one write per chunk, not per packet. */
const OUT_CHUNK = 64 * 1024;

/** Buffers lines, writes them in chunks, and tells the reader to wait while the output is full. */
class Output {
  private parts: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly out: NodeJS.WritableStream & { writableNeedDrain?: boolean }) {}

  line(s: string): void {
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size >= OUT_CHUNK) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0 || this.closed) return;
    this.out.write(this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }

  /** A promise while the stream is over its high-water mark, else undefined. */
  backpressure(): Promise<void> | undefined {
    if (this.closed || !this.out.writableNeedDrain) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.once('drain', done);
      this.out.once('close', done);
    });
  }
}

/** Runs the decode command's work; exported so that callers (and `-f`) can reuse it. */
export async function runDecode(file: string, opts: DecodeOptions = {}): Promise<ExitCodeValue> {
  const outStream = opts.out ?? process.stdout;
  const out = new Output(outStream);
  const ac = new AbortController();
  // a closed pipe (`sentra decode f | head`) ends the work quietly
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      out.closed = true;
      ac.abort();
    }
  };
  outStream.on('error', onError);
  // Ctrl-C stops reading; what was decoded is still flushed (and counted with --stats)
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const decoder = new Decoder();
  const stats = opts.stats ? new ProtocolStats() : null;
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  const quiet = opts.quiet === true;
  const json = opts.json === true;
  // parsed before the file is opened, so a bad expression fails fast with its position
  const filter = opts.filter !== undefined ? new PacketFilter(opts.filter) : null;
  let printed = 0;
  const progress = createProgress({
    total: 1,
    label: 'decode',
    unit: 'MB',
    scale: 1e6,
    enabled: Boolean(process.stderr.isTTY) && !json && (quiet || !process.stdout.isTTY),
  });
  let failure: unknown;
  try {
    await readCapture(
      file,
      (rec) => {
        if (filter !== null && !filter.matchRecord(rec)) return;
        const p = decoder.decode(rec);
        printed++;
        stats?.add(p);
        if (!quiet) out.line(json ? JSON.stringify(packetFields(p)) : summaryLine(p));
        if (printed >= limit) ac.abort();
      },
      {
        signal: ac.signal,
        beforeRead: () => out.backpressure(),
        // LINKTYPE_NULL's family field is in the file's byte order; a link type the filter
        // cannot apply to is refused before the first packet, as tcpdump does
        onPcapHeader: (h) => filter?.setBigEndian(h.bigEndian),
        onInterface: (i) => {
          filter?.forLinkType(i.linkType);
        },
        onProgress: (done, total) => {
          if (total !== undefined) {
            progress.setTotal(total);
            progress.update(done);
          }
        },
      },
    );
  } catch (e) {
    failure = e;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stats !== null) {
    if (json) out.line(JSON.stringify({ stats: stats.toJSON() }));
    else {
      if (!quiet && printed > 0) out.line('');
      out.line(
        formatTable(
          ['protocol', 'packets'],
          [
            ['(all)', stats.packets],
            ...stats.rows(),
            ...(stats.malformed > 0 ? [['(malformed)', stats.malformed]] : []),
          ],
        ).trimEnd(),
      );
    }
  }
  out.flush();
  outStream.off('error', onError);
  if (failure !== undefined) throw failure;
  return interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return n;
}

export const registerDecode: CommandRegistrar = (program: Command) => {
  program
    .command('decode')
    .description(
      'decode a pcap or pcapng capture: a line per packet, or JSON Lines with Wireshark field names',
    )
    .argument('<file>', 'capture file (pcap or pcapng), or - for stdin')
    .option(
      '--json',
      'one JSON object per line, keys are Wireshark field names, values as tshark -T fields prints them',
    )
    .option('-f, --filter <expr>', 'capture filter, as tcpdump takes it (pcap-filter(7)), e.g. "tcp port 80"')
    .option('-c, --count <n>', 'stop after n packets', positiveInt)
    .option('--stats', 'print per-protocol packet counts at the end')
    .option('-q, --quiet', 'no per-packet output (with --stats: only the counts)')
    .action(action(async (file: string, opts: DecodeOptions) => runDecode(file, opts)));
};
