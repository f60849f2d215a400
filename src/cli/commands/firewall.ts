/**
 * `sentra firewall ...`: bans with expiry, allows, port blocks, custom rules, default policies,
 * statistics and reconciliation, on nftables, iptables + ipset, or a memory dry run.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCodes, SentraError } from '../../errors.js';
import { formatDuration } from '../../firewall/duration.js';
import { Firewall } from '../../firewall/firewall.js';
import type { BackendName, EntryKind } from '../../firewall/model.js';
import type { ReconcileReport } from '../../firewall/reconcile.js';
import type { FirewallRuleRecord } from '../../firewall/records.js';
import { action, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatTable } from '../table.js';

interface CommonOpts {
  json?: boolean;
  backend?: string;
  netns?: string;
  db?: string;
  management?: string;
}

function common(cmd: Command): Command {
  return cmd
    .option('--json', 'print JSON')
    .option('--backend <name>', 'nftables, iptables (with ipset), memory (dry run) or auto', 'auto')
    .option('--netns <name>', 'apply inside this network namespace')
    .option('--db <path>', 'state database (default: in $SENTRA_HOME)')
    .option('--management <addrs>', 'extra management addresses (comma-separated) that no ban may cover');
}

function backendOpt(s: string | undefined): BackendName | 'auto' {
  const v = s ?? 'auto';
  if (v === 'auto' || v === 'nftables' || v === 'iptables' || v === 'memory') return v;
  throw new SentraError(
    ErrorCodes.INVALID_ARGUMENT,
    `unknown backend ${JSON.stringify(v.slice(0, 40))}: use nftables, iptables, memory or auto`,
  );
}

/** Opens the firewall, runs `fn`, prints its result (with the dry-run commands for memory). */
async function withFirewall(
  opts: CommonOpts,
  fn: (fw: Firewall) => Promise<{ json: Record<string, unknown>; text: string }>,
): Promise<ExitCodeValue> {
  const dryRun: { argv: string[]; input?: string }[] = [];
  const fw = await Firewall.open({
    backend: backendOpt(opts.backend),
    netns: opts.netns,
    dbPath: opts.db,
    management: opts.management
      ? opts.management
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    onCommand: (c) => dryRun.push(c),
  });
  try {
    warnDrift(fw.lastReconcile);
    dryRun.length = 0; // what reconciliation did is reported apart; show only this command's changes
    const out = await fn(fw);
    if (opts.json) {
      writeJsonLine(fw.backend.name === 'memory' ? { ...out.json, dry_run: dryRun } : out.json);
    } else {
      process.stdout.write(out.text.endsWith('\n') || out.text === '' ? out.text : out.text + '\n');
      if (fw.backend.name === 'memory' && dryRun.length) {
        process.stdout.write('\n# dry run (memory backend): the nftables backend would run\n');
        for (const c of dryRun) process.stdout.write(`$ ${c.argv.join(' ')} <<'EOF'\n${c.input ?? ''}EOF\n`);
      }
    }
    return ExitCode.OK;
  } finally {
    fw.close();
  }
}

function warnDrift(r: ReconcileReport | null): void {
  if (!r || r.drift_count === 0) return;
  const kinds = new Map<string, number>();
  for (const d of r.drift) kinds.set(d.type, (kinds.get(d.type) ?? 0) + 1);
  const summary = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
  process.stderr.write(`sentra: the kernel differed from the recorded state (${summary}); repaired\n`);
}

function when(rec: FirewallRuleRecord): string {
  return rec.time_remaining === null ? 'permanent' : formatDuration(rec.time_remaining * 1000);
}

function rulesTable(rules: FirewallRuleRecord[]): string {
  if (rules.length === 0) return 'no entries\n';
  return formatTable(
    [
      'id',
      'kind',
      'chain',
      'proto',
      'source',
      'destination',
      'sport',
      'dport',
      'action',
      'expires',
      'packets',
      'reason',
    ],
    rules.map((r) => [
      r.id,
      r.kind,
      r.chain,
      r.protocol,
      r.src_ip,
      r.dst_ip,
      r.src_port,
      r.dst_port,
      r.action,
      when(r),
      r.packets === null ? '-' : String(r.packets),
      r.reason,
    ]),
  );
}

/** Targets from arguments and from `--file` (one per line, `#` comments, `-` for stdin). */
function readTargets(args: string[], file?: string): string[] {
  const out = [...args];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      throw new SentraError(ErrorCodes.IO, `cannot read ${file}: ${(e as Error).message}`);
    }
    for (const line of text.split('\n')) {
      const t = line.replace(/#.*/, '').trim();
      if (t) out.push(t);
    }
  }
  if (out.length === 0)
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'give at least one address (or --file)');
  return out;
}

const KINDS = new Set(['ban', 'allow', 'port', 'rule']);

export function registerFirewall(program: Command): void {
  const fwc = program
    .command('firewall')
    .description(
      'ban and allow addresses, block ports, manage rules and policies (nftables, iptables, memory)',
    );

  common(
    fwc
      .command('block')
      .description('ban addresses or CIDRs (IPv4/IPv6), optionally for a time')
      .argument('[targets...]', 'addresses or CIDRs')
      .option('-d, --duration <time>', 'ban time: seconds or 10m, 1h30m, 2d (default: permanent)')
      .option('-r, --reason <text>', 'why (kept in the state database)')
      .option('-f, --file <path>', 'read more addresses from a file, one per line (- for stdin)'),
  ).action(
    action(
      async (args: string[], opts: CommonOpts & { duration?: string; reason?: string; file?: string }) => {
        const targets = readTargets(args, opts.file);
        return withFirewall(opts, async (fw) => {
          const rules = await fw.block(targets, {
            duration: opts.duration,
            reason: opts.reason,
            source: 'cli',
          });
          const text =
            rules.length <= 20
              ? rulesTable(rules)
              : `banned ${rules.length} addresses (${rules[0].time_remaining === null ? 'permanent' : when(rules[0])})`;
          return { json: { count: rules.length, rules }, text };
        });
      },
    ),
  );

  common(
    fwc
      .command('unblock')
      .description('lift bans, by address/CIDR or rule id')
      .argument('[targets...]')
      .option('-f, --file <path>', 'read more addresses from a file, one per line'),
  ).action(
    action(async (args: string[], opts: CommonOpts & { file?: string }) => {
      const targets = readTargets(args, opts.file);
      return withFirewall(opts, async (fw) => {
        const r = await fw.unblock(targets);
        const text =
          `unbanned ${r.removed.length}` +
          (r.not_found.length ? `; not banned: ${r.not_found.join(', ')}` : '');
        return { json: { ...r }, text };
      });
    }),
  );

  common(
    fwc
      .command('allow')
      .description('accept traffic from addresses/CIDRs before any ban or rule (they become protected)')
      .argument('<targets...>')
      .option('-d, --duration <time>', 'for how long (default: permanent)')
      .option('-r, --reason <text>', 'why'),
  ).action(
    action(async (targets: string[], opts: CommonOpts & { duration?: string; reason?: string }) =>
      withFirewall(opts, async (fw) => {
        const rules = await fw.allow(targets, {
          duration: opts.duration,
          reason: opts.reason,
          source: 'cli',
        });
        return { json: { count: rules.length, rules }, text: rulesTable(rules) };
      }),
    ),
  );

  common(fwc.command('unallow').description('remove allow entries').argument('<targets...>')).action(
    action(async (targets: string[], opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const r = await fw.unallow(targets);
        return { json: { ...r }, text: `removed ${r.removed.length} allow entries` };
      }),
    ),
  );

  common(
    fwc
      .command('list')
      .description("list Sentra's rules, bans, allows and port blocks")
      .option('--kind <kind>', 'only ban, allow, port or rule')
      .option('--limit <n>', 'show at most n entries in text output', '200'),
  ).action(
    action(async (opts: CommonOpts & { kind?: string; limit?: string }) => {
      if (opts.kind && !KINDS.has(opts.kind)) {
        throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'kind must be ban, allow, port or rule');
      }
      return withFirewall(opts, async (fw) => {
        const rules = await fw.listRules({ kind: opts.kind as EntryKind | undefined });
        const limit = Math.max(1, Number(opts.limit) || 200);
        const more = rules.length > limit ? `… and ${rules.length - limit} more (use --json for all)\n` : '';
        return { json: { count: rules.length, rules }, text: rulesTable(rules.slice(0, limit)) + more };
      });
    }),
  );

  common(fwc.command('stats').description('counts, and packets/bytes blocked from kernel counters')).action(
    action(async (opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const s = await fw.getStats();
        const text = formatTable(
          ['statistic', 'value'],
          [
            ['backend', s.backend],
            ['rules_count', s.rules_count],
            ['bans', s.bans_count],
            ['allows', s.allows_count],
            ['port blocks', s.port_blocks],
            ['custom rules', s.custom_rules],
            ['packets_blocked', s.packets_blocked],
            ['bytes_blocked', s.bytes_blocked],
            ['policy input/output/forward', `${s.policies.input}/${s.policies.output}/${s.policies.forward}`],
          ].map(([a, b]) => [String(a), String(b)]),
        );
        return { json: { ...s }, text };
      }),
    ),
  );

  const rule = fwc.command('rule').description('custom rules');
  common(
    rule
      .command('add')
      .description('add a rule at the end of its chain')
      .requiredOption('--chain <chain>', 'INPUT, OUTPUT or FORWARD')
      .requiredOption('--action <action>', 'ACCEPT, DROP or REJECT')
      .option('--protocol <p>', 'tcp, udp, icmp, icmpv6 or any', 'any')
      .option('--src <addr>', 'source address/CIDR or any', 'any')
      .option('--dst <addr>', 'destination address/CIDR or any', 'any')
      .option('--sport <port>', 'source port or range', 'any')
      .option('--dport <port>', 'destination port or range', 'any')
      .option('-r, --reason <text>', 'why')
      .option('--force', 'allow a drop rule that covers a management address'),
  ).action(
    action(
      async (
        opts: CommonOpts & {
          chain: string;
          action: string;
          protocol: string;
          src: string;
          dst: string;
          sport: string;
          dport: string;
          reason?: string;
          force?: boolean;
        },
      ) =>
        withFirewall(opts, async (fw) => {
          const r = await fw.createRule({
            chain: opts.chain,
            action: opts.action,
            protocol: opts.protocol,
            src: opts.src,
            dst: opts.dst,
            srcPort: opts.sport,
            dstPort: opts.dport,
            reason: opts.reason,
            source: 'cli',
            force: opts.force,
          });
          return { json: { ...r }, text: rulesTable([r]) };
        }),
    ),
  );
  common(
    rule.command('delete').description('delete a rule, ban, allow or port block by id').argument('<id>'),
  ).action(
    action(async (id: string, opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const r = await fw.deleteRule(id);
        return { json: { ...r }, text: `deleted ${r.id} (${r.kind})` };
      }),
    ),
  );

  const port = fwc.command('port').description('port blocks (drop incoming traffic to a port)');
  common(
    port
      .command('block')
      .argument('<port>', 'port or range, e.g. 23 or 6000-6100')
      .option('--protocol <p>', 'tcp, udp or any', 'tcp')
      .option('-d, --duration <time>', 'for how long (default: permanent)')
      .option('-r, --reason <text>', 'why'),
  ).action(
    action(async (p: string, opts: CommonOpts & { protocol: string; duration?: string; reason?: string }) =>
      withFirewall(opts, async (fw) => {
        const rules = await fw.blockPort(p, {
          protocol: opts.protocol,
          duration: opts.duration,
          reason: opts.reason,
          source: 'cli',
        });
        return { json: { count: rules.length, rules }, text: rulesTable(rules) };
      }),
    ),
  );
  common(
    port.command('unblock').argument('<port>').option('--protocol <p>', 'tcp, udp or any', 'any'),
  ).action(
    action(async (p: string, opts: CommonOpts & { protocol: string }) =>
      withFirewall(opts, async (fw) => {
        const r = await fw.unblockPort(p, { protocol: opts.protocol });
        return { json: { ...r }, text: `removed ${r.removed.length} port block(s)` };
      }),
    ),
  );

  common(
    fwc
      .command('policy')
      .description('set the default policy of a chain')
      .argument('<chain>', 'INPUT, OUTPUT or FORWARD')
      .argument('<action>', 'ACCEPT or DROP')
      .option('--force', 'skip the management-access check (you may lock yourself out)'),
  ).action(
    action(async (chain: string, act: string, opts: CommonOpts & { force?: boolean }) =>
      withFirewall(opts, async (fw) => {
        const r = await fw.setDefaultPolicy(chain, act, { force: opts.force });
        return { json: { ...r }, text: `${r.chain} policy: ${r.previous} -> ${r.policy}` };
      }),
    ),
  );

  common(
    fwc
      .command('clear')
      .description('remove everything Sentra created; policies back to accept')
      .option('--remove-table', "also remove Sentra's table/chains/sets from the kernel"),
  ).action(
    action(async (opts: CommonOpts & { removeTable?: boolean }) =>
      withFirewall(opts, async (fw) => {
        const r = await fw.clearRules({ removeTable: opts.removeTable });
        return { json: { ...r }, text: `removed ${r.removed} entries` };
      }),
    ),
  );

  common(
    fwc.command('reconcile').description('compare the kernel with the recorded state and repair it'),
  ).action(
    action(async (opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const r = await fw.reconcile();
        const first = fw.lastReconcile;
        const report = first && first.drift_count > 0 ? first : r;
        const text =
          report.drift_count === 0
            ? 'in sync: the kernel matches the recorded state'
            : formatTable(
                ['type', 'kind', 'target', 'detail'],
                report.drift.map((d) => [d.type, d.kind, d.target, d.detail]),
              );
        return { json: { ...report }, text };
      }),
    ),
  );

  const al = fwc.command('allowlist').description('management addresses that no ban may cover');
  common(al.command('add').argument('<targets...>')).action(
    action(async (targets: string[], opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const m = await fw.protect(targets);
        return { json: { management: m }, text: m.join('\n') };
      }),
    ),
  );
  common(al.command('remove').argument('<targets...>')).action(
    action(async (targets: string[], opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const m = await fw.unprotect(targets);
        return { json: { management: m }, text: m.join('\n') };
      }),
    ),
  );
  common(al.command('list')).action(
    action(async (opts: CommonOpts) =>
      withFirewall(opts, async (fw) => {
        const m = fw.management();
        return { json: { management: m, loopback: ['127.0.0.0/8', '::1'] }, text: m.join('\n') || 'none' };
      }),
    ),
  );
}
