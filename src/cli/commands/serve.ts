/**
 * `sentra serve`: the daemon — HTTP API, dashboard, /metrics, SQLite storage, the IDS pipeline
 * over a live interface or over captures uploaded / dropped in the watched folder. Runs in the
 * foreground until SIGINT/SIGTERM (or --duration), then stops without losing flows or alerts.
 */
import type { Command } from 'commander';
import { type DaemonConfig, loadConfig, parseSetting } from '../../daemon/config.js';
import { startDaemon } from '../../daemon/daemon.js';
import { ErrorCodes, SentraError } from '../../errors.js';
import { action, writeJsonLine } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { collect, parseDuration, waitForStop } from './serve-util.js';

interface ServeOptions {
  config?: string;
  dataDir?: string;
  host?: string;
  port?: string;
  interface?: string;
  netns?: string;
  filter?: string;
  watchDir?: string;
  demo?: boolean;
  demoSpeed?: string;
  rules: string[];
  eve?: string | false;
  eveMaxSize?: string;
  redis?: string;
  redisMode?: string;
  redisKey?: string;
  firewall?: string;
  firewallNetns?: string;
  set: string[];
  duration?: string;
  json?: boolean;
}

function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `${flag} must be a number, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Flags → dotted configuration keys (applied after the file, before --set). */
export function overridesFromFlags(o: ServeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.dataDir !== undefined) out.data_dir = o.dataDir;
  if (o.host !== undefined) out['http.host'] = o.host;
  if (o.port !== undefined) out['http.port'] = num('--port', o.port);
  if (o.interface !== undefined) out['capture.interface'] = o.interface;
  if (o.netns !== undefined) out['capture.netns'] = o.netns;
  if (o.filter !== undefined) out['capture.filter'] = o.filter;
  if (o.watchDir !== undefined) out['capture.watch_dir'] = o.watchDir;
  if (o.demo) out['capture.demo'] = true;
  if (o.demoSpeed !== undefined) out['capture.demo_speed'] = num('--demo-speed', o.demoSpeed);
  if (o.rules.length > 0) out['ids.rules'] = o.rules;
  if (o.eve === false) out['outputs.eve.enabled'] = false;
  else if (typeof o.eve === 'string') out['outputs.eve.path'] = o.eve;
  if (o.eveMaxSize !== undefined) out['outputs.eve.max_size_mb'] = num('--eve-max-size', o.eveMaxSize);
  if (o.redis !== undefined) {
    out['outputs.redis.enabled'] = true;
    out['outputs.redis.url'] = o.redis;
  }
  if (o.redisMode !== undefined) out['outputs.redis.mode'] = o.redisMode;
  if (o.redisKey !== undefined) out['outputs.redis.key'] = o.redisKey;
  if (o.firewall !== undefined) out['firewall.backend'] = o.firewall;
  if (o.firewallNetns !== undefined) out['firewall.netns'] = o.firewallNetns;
  for (const a of o.set) {
    const { key, value } = parseSetting(a);
    out[key] = value;
  }
  return out;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the daemon: HTTP API, dashboard, /metrics, storage, IDS over a live interface or uploaded captures',
    )
    .option('-c, --config <file>', 'YAML configuration file (docs/daemon.md)')
    .option('--data-dir <dir>', 'data directory (default $SENTRA_HOME, /var/lib/sentra as root)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('-p, --port <port>', 'port to listen on (default 8470; 0 picks a free one)')
    .option('-i, --interface <name>', 'capture live on this interface')
    .option('--netns <name>', 'the interface is in this network namespace')
    .option('-f, --filter <expr>', 'capture filter (tcpdump syntax) for the live interface')
    .option('--watch-dir <dir>', 'folder watched for pcap/pcapng files (default <data>/inbox)')
    .option('--demo', 'replay the shipped demo capture at start')
    .option('--demo-speed <x>', 'demo replay speed (multiple of real time; 0: as fast as possible)')
    .option('-r, --rules <file>', 'Suricata rule file (repeatable; default: the built-in rules)', collect, [])
    .option('--eve <file>', 'EVE JSON output file (default <data>/eve.json)')
    .option('--no-eve', 'no EVE JSON file')
    .option('--eve-max-size <MiB>', 'rotate the EVE file at this size')
    .option('--redis <url>', 'also send alerts to Redis (redis://host:port)')
    .option('--redis-mode <mode>', 'list, rpush, stream or channel (as Suricata)')
    .option('--redis-key <key>', 'Redis key or channel (default suricata)')
    .option('--firewall <backend>', 'auto, nftables, iptables, memory or none')
    .option('--firewall-netns <name>', 'apply bans inside this network namespace')
    .option(
      '--set <key=value>',
      'set any configuration key, e.g. --set storage.max_alerts=100000 (repeatable)',
      collect,
      [],
    )
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--json', 'JSON Lines on stdout: listening and stopped events')
    .action(
      action(async (opts: ServeOptions) => {
        const durationMs = parseDuration(opts.duration);
        const config: DaemonConfig = loadConfig({ file: opts.config, overrides: overridesFromFlags(opts) });
        const d = await startDaemon(config, {
          log: (l) => process.stderr.write(`${l}\n`),
        });
        const loginUrl = `${d.url}/#login=${d.loginCode}`;
        if (opts.json) {
          writeJsonLine({
            event: 'listening',
            url: d.url,
            port: d.port,
            pid: process.pid,
            data_dir: config.data_dir,
            ...(d.tokenCreated ? { token: d.token } : {}),
            login_url: loginUrl,
            rules_loaded: d.state.rules.loaded,
            firewall: d.state.firewall?.backend.name ?? null,
          });
        } else {
          process.stdout.write(`sentra serve: listening on ${d.url} (data in ${config.data_dir})\n`);
          if (d.tokenCreated) {
            process.stdout.write(
              `access token (shown once; stored with mode 0600 in ${config.data_dir}/token):\n  ${d.token}\n`,
            );
          }
          process.stdout.write(`dashboard (one-time sign-in link): ${loginUrl}\n`);
        }
        const { signal } = await waitForStop(durationMs);
        const s = d.state;
        await d.close();
        const summary = {
          event: 'stopped',
          packets: s.pipeline.packets,
          flows: s.pipeline.flowsEnded,
          alerts: s.hub.committed,
        };
        if (opts.json) writeJsonLine(summary);
        else
          process.stdout.write(
            `sentra serve: stopped (${summary.packets} packets, ${summary.flows} flows, ${summary.alerts} alerts)\n`,
          );
        return signal ? ExitCode.INTERRUPTED : ExitCode.OK;
      }),
    );
}
