/**
 * `sentra lb`: runs the load balancer in the foreground until SIGINT/SIGTERM (or --duration),
 * printing backend health changes (and requests with --log), and the health at the end.
 */
import type { Command } from 'commander';
import { ErrorCodes, SentraError } from '../../errors.js';
import { parsePort } from '../../net/address.js';
import { balancerNames } from '../../proxy/reverse/balancers/index.js';
import { type BackendSpec, ReverseProxy } from '../../proxy/reverse/proxy.js';
import { action, writeJsonLine } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatTable } from '../table.js';
import { collect, formatLogLine, parseDuration, waitForStop } from './serve-util.js';

interface LbCommandOptions {
  port: string;
  host: string;
  backend: string[];
  algorithm: string;
  healthPath: string;
  healthInterval: string;
  healthCheck: boolean;
  log?: boolean;
  duration?: string;
  json?: boolean;
}

/** `http://host:port=3` -> { url, weight: 3 }. */
export function parseBackendArg(text: string): BackendSpec {
  const m = /^(.*)=(\d+)$/.exec(text);
  return m ? { url: m[1], weight: Number(m[2]) } : { url: text, weight: 1 };
}

export function registerLbCommand(program: Command): void {
  program
    .command('lb')
    .description('run a load balancer (reverse proxy) with health checks (Ctrl-C stops it)')
    .requiredOption('-p, --port <port>', 'port to listen on (0 picks a free one)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '-b, --backend <url[=weight]>',
      'a backend, e.g. http://10.0.0.5:8080=2 (repeatable)',
      collect,
      [],
    )
    .option('-a, --algorithm <name>', `load balancing: ${balancerNames().join(', ')}`, 'round_robin')
    .option('--health-path <path>', 'path of the active health check', '/')
    .option('--health-interval <ms>', 'milliseconds between health checks', '5000')
    .option('--no-health-check', 'no active health checks (passive ejection stays on)')
    .option('--log', 'print a line per request')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--json', 'JSON Lines output: listening, backend_up/down, request and stopped events')
    .action(
      action(async (opts: LbCommandOptions) => {
        if (opts.backend.length === 0) {
          throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'give at least one --backend URL[=WEIGHT]');
        }
        const durationMs = parseDuration(opts.duration);
        const p = new ReverseProxy({
          port: parsePort(opts.port, { allowZero: true }),
          host: opts.host,
          backends: opts.backend.map(parseBackendArg),
          algorithm: opts.algorithm,
          healthCheck: opts.healthCheck
            ? { path: opts.healthPath, intervalMs: Number(opts.healthInterval) }
            : false,
          onLog: opts.log
            ? (e) =>
                opts.json
                  ? writeJsonLine({ event: 'request', ...e })
                  : process.stdout.write(formatLogLine(e) + '\n')
            : undefined,
        });
        const report = (event: string) => (b: { id: string; url: string }, reason: string) => {
          if (opts.json) writeJsonLine({ event, backend: b.id, url: b.url, reason });
          else
            process.stdout.write(`${event === 'backend_up' ? 'UP  ' : 'DOWN'} ${b.id} ${b.url}: ${reason}\n`);
        };
        p.on('backend_up', report('backend_up'));
        p.on('backend_down', report('backend_down'));
        await p.start();
        if (opts.json) {
          writeJsonLine({
            event: 'listening',
            id: p.id,
            host: p.host,
            port: p.port,
            algorithm: p.algorithm,
            backends: p.backends.map((b) => ({ id: b.id, url: b.url, weight: b.weight })),
          });
        } else {
          process.stdout.write(`sentra lb ${p.id} listening on ${p.host}:${p.port} (${p.algorithm})\n`);
        }
        const { signal } = await waitForStop(durationMs);
        await p.stop(2_000);
        const health = p.health();
        if (opts.json) {
          writeJsonLine({ event: 'stopped', health });
        } else {
          process.stdout.write(
            `requests ${health.total_requests}, errors ${health.total_errors}, healthy backends ${health.backends_active}\n` +
              formatTable(
                ['backend', 'url', 'weight', 'healthy', 'requests', 'errors', 'p50 ms', 'p99 ms'],
                health.backends.map((b) => [
                  b.id,
                  b.url,
                  b.weight,
                  b.healthy ? 'yes' : 'no',
                  b.requests,
                  b.errors,
                  b.latency_p50_ms,
                  b.latency_p99_ms,
                ]),
              ) +
              '\n',
          );
        }
        return signal ? ExitCode.INTERRUPTED : ExitCode.OK;
      }),
    );
}
