/**
 * `sentra proxy`: runs the forward proxy in the foreground until SIGINT/SIGTERM (or
 * --duration), printing one line per request and the statistics at the end.
 */
import type { Command } from 'commander';
import { ErrorCodes, SentraError } from '../../errors.js';
import { parsePort } from '../../net/address.js';
import { ForwardProxy } from '../../proxy/forward/proxy.js';
import { action, writeJsonLine } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatTable } from '../table.js';
import { collect, formatLogLine, parseDuration, waitForStop } from './serve-util.js';

interface ProxyCommandOptions {
  port: string;
  host: string;
  upstream?: string;
  blockDomain: string[];
  allowDomain: string[];
  blockUrl: string[];
  allowClient: string[];
  allowMethod: string[];
  auth?: string;
  cache?: boolean;
  cacheSize?: string;
  logFile?: string;
  quiet?: boolean;
  duration?: string;
  json?: boolean;
}

function parseAuth(text: string | undefined): { username: string; password: string } | undefined {
  if (text === undefined) return undefined;
  const i = text.indexOf(':');
  if (i <= 0) throw new SentraError(ErrorCodes.INVALID_ARGUMENT, '--auth must look like user:password');
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description('run a forward HTTP/HTTPS proxy with filters, cache and logs (Ctrl-C stops it)')
    .requiredOption('-p, --port <port>', 'port to listen on (0 picks a free one)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--upstream <url>', 'chain through a parent proxy, http://[user:pass@]host:port')
    .option('--block-domain <domain>', 'block a domain and its subdomains (repeatable)', collect, [])
    .option(
      '--allow-domain <domain>',
      'allow only these domains and their subdomains (repeatable)',
      collect,
      [],
    )
    .option(
      '--block-url <pattern>',
      'block URLs matching a glob such as *://*/ads/* (repeatable)',
      collect,
      [],
    )
    .option('--allow-client <cidr>', 'accept only these client addresses (repeatable)', collect, [])
    .option('--allow-method <method>', 'allow only these methods (repeatable)', collect, [])
    .option('--auth <user:password>', 'require Basic proxy authentication')
    .option('--cache', 'cache cacheable GET responses')
    .option('--cache-size <MiB>', 'cache size in MiB (default 64)')
    .option('--log-file <file>', 'append requests to this JSON Lines file')
    .option('-q, --quiet', 'do not print a line per request')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--json', 'JSON Lines output: listening, request and stopped events')
    .action(
      action(async (opts: ProxyCommandOptions) => {
        const durationMs = parseDuration(opts.duration);
        let cacheMaxBytes: number | undefined;
        if (opts.cacheSize !== undefined) {
          const mib = Number(opts.cacheSize);
          if (!(mib > 0))
            throw new SentraError(
              ErrorCodes.INVALID_ARGUMENT,
              '--cache-size must be a positive number of MiB',
            );
          cacheMaxBytes = Math.floor(mib * 1024 * 1024);
        }
        const p = new ForwardProxy({
          port: parsePort(opts.port, { allowZero: true }),
          host: opts.host,
          upstream: opts.upstream,
          blockedDomains: opts.blockDomain,
          allowedDomains: opts.allowDomain,
          blockedUrls: opts.blockUrl,
          allowedClients: opts.allowClient,
          allowedMethods: opts.allowMethod,
          auth: parseAuth(opts.auth),
          cache: opts.cache ? { maxBytes: cacheMaxBytes } : false,
          logRequests: opts.logFile !== undefined,
          logFile: opts.logFile,
          onLog: opts.quiet
            ? undefined
            : (e) =>
                opts.json
                  ? writeJsonLine({ event: 'request', ...e })
                  : process.stdout.write(formatLogLine(e) + '\n'),
        });
        await p.start();
        if (opts.json) {
          writeJsonLine({ event: 'listening', id: p.id, host: p.host, port: p.port, upstream: p.upstream });
        } else {
          process.stdout.write(`sentra proxy ${p.id} listening on ${p.host}:${p.port}\n`);
        }
        const { signal } = await waitForStop(durationMs);
        await p.stop(2_000);
        const stats = p.stats();
        if (opts.json) {
          writeJsonLine({ event: 'stopped', stats });
        } else {
          const rows = Object.entries(stats)
            .filter(([k]) => k !== 'id')
            .map(([k, v]) => [k, v === null ? '-' : String(v)]);
          process.stdout.write(formatTable(['statistic', 'value'], rows) + '\n');
        }
        return signal ? ExitCode.INTERRUPTED : ExitCode.OK;
      }),
    );
}
