/** `sentra qos ...`: limit the bandwidth of an address on an interface (tc HTB; ingress via ifb). */
import type { Command } from 'commander';
import { ErrorCodes, SentraError } from '../../errors.js';
import { type QosLimitRecord, QosManager } from '../../qos/shaper.js';
import { action, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatTable } from '../table.js';

interface QosOpts {
  json?: boolean;
  backend?: string;
  netns?: string;
  db?: string;
}

function common(cmd: Command): Command {
  return cmd
    .option('--json', 'print JSON')
    .option('--backend <name>', 'tc (apply) or memory (dry run: print the commands)', 'tc')
    .option('--netns <name>', 'apply inside this network namespace')
    .option('--db <path>', 'state database (default: in $SENTRA_HOME)');
}

async function withQos(
  opts: QosOpts,
  fn: (q: QosManager) => Promise<{ json: Record<string, unknown>; text: string }>,
): Promise<ExitCodeValue> {
  const b = opts.backend ?? 'tc';
  if (b !== 'tc' && b !== 'memory' && b !== 'auto') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `unknown qos backend ${JSON.stringify(b.slice(0, 40))}: use tc or memory`,
    );
  }
  const q = new QosManager({ netns: opts.netns, dbPath: opts.db, dryRun: b === 'memory' });
  try {
    const out = await fn(q);
    if (opts.json) writeJsonLine(q.dryRun ? { ...out.json, dry_run: q.commands } : out.json);
    else {
      process.stdout.write(out.text.endsWith('\n') ? out.text : out.text + '\n');
      if (q.dryRun && q.commands.length) {
        process.stdout.write(
          '\n# dry run: would run\n' + q.commands.map((c) => `$ ${c.join(' ')}\n`).join(''),
        );
      }
    }
    return ExitCode.OK;
  } finally {
    q.close();
  }
}

function table(list: QosLimitRecord[]): string {
  if (list.length === 0) return 'no limits\n';
  return formatTable(
    ['id', 'address', 'interface', 'direction', 'rate', 'ceil kbit', 'class', 'sent bytes', 'dropped'],
    list.map((l) => [
      l.id,
      l.address,
      l.interface,
      l.direction,
      l.rate,
      String(l.ceil_kbit),
      `${l.device} ${l.class_id}`,
      l.sent_bytes === null ? 'missing' : String(l.sent_bytes),
      l.dropped === null ? '-' : String(l.dropped),
    ]),
  );
}

export function registerQos(program: Command): void {
  const qc = program
    .command('qos')
    .description('limit the bandwidth of addresses with tc (HTB), egress and ingress');
  common(
    qc
      .command('limit')
      .description('limit the traffic to (egress) or from (ingress) an address on an interface')
      .argument('<address>', 'IP address or CIDR')
      .requiredOption('-i, --interface <dev>', 'network interface')
      .requiredOption('--rate <rate>', 'e.g. 512kbit, 10mbit, 1gbit (a number is kbit/s)')
      .option('--ceil <rate>', 'borrowing ceiling (default: the rate)')
      .option('--direction <dir>', 'egress (traffic to the address) or ingress (from it)', 'egress')
      .option('--priority <n>', 'HTB priority 0-7', '3'),
  ).action(
    action(
      async (
        address: string,
        opts: QosOpts & {
          interface: string;
          rate: string;
          ceil?: string;
          direction: string;
          priority: string;
        },
      ) =>
        withQos(opts, async (q) => {
          if (opts.direction !== 'egress' && opts.direction !== 'ingress') {
            throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'direction must be egress or ingress');
          }
          if (!/^[0-7]$/.test(opts.priority))
            throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'priority must be 0-7');
          const r = await q.limit({
            address,
            interface: opts.interface,
            rate: opts.rate,
            ceil: opts.ceil,
            direction: opts.direction,
            priority: Number(opts.priority),
          });
          return { json: { ...r }, text: table([r]) };
        }),
    ),
  );
  common(
    qc.command('list').description('list limits with their counters').option('-i, --interface <dev>'),
  ).action(
    action(async (opts: QosOpts & { interface?: string }) =>
      withQos(opts, async (q) => {
        const list = await q.list(opts.interface);
        return { json: { count: list.length, limits: list }, text: table(list) };
      }),
    ),
  );
  common(
    qc
      .command('clear')
      .description('remove one limit (by address or id) or every limit Sentra created')
      .argument('[target]', 'address/CIDR or qos id; all when omitted')
      .option('-i, --interface <dev>', 'only on this interface')
      .option('--direction <dir>', 'only egress or ingress'),
  ).action(
    action(async (target: string | undefined, opts: QosOpts & { interface?: string; direction?: string }) =>
      withQos(opts, async (q) => {
        if (target === undefined) {
          const r = await q.clear(opts.interface);
          return { json: { ...r }, text: `removed ${r.removed} limit(s)` };
        }
        const dir = opts.direction;
        if (dir !== undefined && dir !== 'egress' && dir !== 'ingress') {
          throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'direction must be egress or ingress');
        }
        const removed = await q.remove(target, { interface: opts.interface, direction: dir });
        return {
          json: { removed: removed.length, limits: removed },
          text: `removed ${removed.length} limit(s)`,
        };
      }),
    ),
  );
}
