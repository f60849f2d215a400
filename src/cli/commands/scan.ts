/**
 * `sentra scan TARGET -p PORTS [--sV] [--os] [--vulns] [--json]`: port scan of a host, or of
 * every live host of a CIDR block (discovery first), with service versions, OS guess and
 * vulnerabilities on request.
 */
import type { Command } from 'commander';
import { ErrorCodes, SentraError } from '../../errors.js';
import { hostAddresses, scanNetwork } from '../../scan/discovery/network.js';
import { scanOsFingerprint } from '../../scan/os/fingerprint.js';
import { parsePortSpec } from '../../scan/ports/port-spec.js';
import { scanPorts } from '../../scan/ports/scan.js';
import { listPortScanStrategies } from '../../scan/ports/strategy.js';
import { scanServiceVersion } from '../../scan/services/detect.js';
import type {
  DiscoveredHost,
  OsGuess,
  PortScanResult,
  ServiceInfo,
  VulnerabilityFinding,
} from '../../scan/types.js';
import { runPool } from '../../scan/util/pool.js';
import { matchServices } from '../../scan/vulns/match.js';
import { VulnDb } from '../../scan/vulns/store.js';
import { action, writeJsonLine } from '../command.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { formatTable } from '../table.js';

interface ScanCliOptions {
  ports?: string;
  udp?: boolean;
  sV?: boolean;
  os?: boolean;
  vulns?: boolean;
  db?: string;
  strategy?: string;
  concurrency?: string;
  retries?: string;
  timeout?: string;
  hostTimeout?: string;
  allowLarge?: boolean;
  noDiscovery?: boolean;
  dns?: string;
  json?: boolean;
}

interface HostReport {
  target: string;
  discovery?: DiscoveredHost;
  ports: PortScanResult;
  services?: ServiceInfo[];
  os?: OsGuess;
  vulnerabilities?: VulnerabilityFinding[];
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `--${name} must be a whole number, got "${v}"`);
  return Number(v);
}

function printHost(r: HostReport): void {
  const p = r.ports;
  const out: string[] = [];
  const name = r.discovery?.hostname ? ` (${r.discovery.hostname})` : '';
  out.push(`Scan of ${p.target}${p.target !== p.address ? ` [${p.address}]` : ''}${name}`);
  if (r.discovery?.mac) out.push(`MAC: ${r.discovery.mac}`);
  out.push(
    `${p.open_ports.length} open, ${p.closed} closed, ${p.filtered} filtered` +
      (p.open_filtered_ports.length ? `, ${p.open_filtered_ports.length} open|filtered` : '') +
      ` of ${p.scanned} ${p.protocol.toUpperCase()} ports in ${(p.timings.elapsed_ms / 1000).toFixed(2)} s` +
      (p.timings.timed_out ? ' (host timeout reached: unanswered ports counted as filtered)' : ''),
  );
  const rows: (string | number)[][] = [];
  const byPort = new Map((r.services ?? []).map((s) => [s.port, s]));
  for (const port of p.open_ports) {
    const s = byPort.get(port);
    const version = s ? [s.product, s.version, s.extra ? `(${s.extra})` : ''].filter(Boolean).join(' ') : '';
    rows.push([`${port}/${p.protocol}`, 'open', s ? s.service : p.services[String(port)], version]);
  }
  for (const port of p.open_filtered_ports) rows.push([`${port}/${p.protocol}`, 'open|filtered', '', '']);
  if (p.filtered > 0 && p.filtered <= 20)
    for (const port of p.filtered_ports) rows.push([`${port}/${p.protocol}`, 'filtered', '', '']);
  if (rows.length > 0)
    out.push(formatTable(['PORT', 'STATE', 'SERVICE', r.services ? 'VERSION' : ''], rows).trimEnd());
  for (const s of r.services ?? []) {
    if (s.tls && (s.tls.subject_cn || s.tls.alt_names.length > 0)) {
      out.push(
        `  ${s.port}: TLS ${s.tls.protocol}, certificate ${s.tls.subject_cn} [${s.tls.alt_names.join(', ')}]`,
      );
    }
  }
  if (r.os) out.push(`OS: ${r.os.summary}`);
  if (r.vulnerabilities) {
    if (r.vulnerabilities.length === 0) out.push('Vulnerabilities: none found in the database');
    else {
      out.push(`Vulnerabilities: ${r.vulnerabilities.length}`);
      out.push(
        formatTable(
          ['CVE', 'SEVERITY', 'CVSS', 'PORT', 'PRODUCT'],
          r.vulnerabilities.map((v) => [
            v.cve_id,
            v.severity,
            v.cvss ?? '',
            v.port,
            `${v.product} ${v.version}`,
          ]),
        ).trimEnd(),
      );
    }
  }
  process.stdout.write(out.join('\n') + '\n\n');
}

async function runScan(target: string, o: ScanCliOptions): Promise<ExitCodeValue> {
  const protocol = o.udp ? 'udp' : 'tcp';
  const portSpec = o.ports ?? (o.udp ? undefined : 'top1000');
  const portCount = portSpec ? parsePortSpec(portSpec).length : 10;
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const scanOpts = {
    protocol: protocol as 'tcp' | 'udp',
    strategy: o.strategy,
    concurrency: intOption('concurrency', o.concurrency),
    retries: intOption('retries', o.retries),
    initialTimeoutMs: intOption('timeout', o.timeout),
    hostTimeoutMs: intOption('host-timeout', o.hostTimeout),
    signal: ac.signal,
  };
  const db = o.vulns ? VulnDb.open(o.db) : null;
  try {
    let targets: { target: string; discovery?: DiscoveredHost }[];
    let discovered: DiscoveredHost[] | undefined;
    if (target.includes('/')) {
      if (o.noDiscovery) {
        targets = hostAddresses(target, { allowLarge: o.allowLarge }).addresses.map((t) => ({ target: t }));
      } else {
        const bar = createProgress({
          total: 1,
          label: 'discovery',
          unit: 'hosts',
          enabled: o.json ? false : undefined,
        });
        discovered = await scanNetwork(target, {
          allowLarge: o.allowLarge,
          dnsServers: o.dns ? o.dns.split(',') : undefined,
          signal: ac.signal,
          onProgress: (d, t) => {
            bar.setTotal(t);
            bar.update(d);
          },
        });
        bar.stop();
        targets = discovered.map((h) => ({ target: h.ip, discovery: h }));
      }
    } else targets = [{ target }];

    const bar = createProgress({
      total: portCount * targets.length,
      label: 'scan',
      unit: 'ports',
      enabled: o.json ? false : undefined,
    });
    const reports: HostReport[] = [];
    for (let i = 0; i < targets.length && !ac.signal.aborted; i++) {
      const t = targets[i];
      const ports = await scanPorts(t.target, portSpec, {
        ...scanOpts,
        onProgress: (d) => bar.update(i * portCount + d),
      });
      const report: HostReport = {
        target: t.target,
        ports,
        ...(t.discovery ? { discovery: t.discovery } : {}),
      };
      if ((o.sV || o.vulns) && !ac.signal.aborted) {
        const services: ServiceInfo[] = [];
        await runPool(ports.open_ports, 8, async (port) => {
          services.push(await scanServiceVersion(ports.address, port, { protocol }));
        });
        report.services = services.sort((a, b) => a.port - b.port);
      }
      if (o.os && !ac.signal.aborted)
        report.os = await scanOsFingerprint(ports.address, { port: ports.open_ports[0] });
      if (db && report.services) report.vulnerabilities = matchServices(report.services, db);
      reports.push(report);
    }
    bar.stop();
    if (o.json) {
      writeJsonLine({
        target,
        ...(discovered ? { discovered } : {}),
        hosts: reports,
        ...(db ? { vulnerability_database: { path: db.source, records: db.size } } : {}),
        interrupted: ac.signal.aborted,
      });
    } else {
      if (discovered) process.stdout.write(`${discovered.length} live hosts in ${target}\n\n`);
      for (const r of reports) printHost(r);
      if (db) process.stdout.write(`(vulnerability database: ${db.source}, ${db.size} records)\n`);
    }
    return ac.signal.aborted ? ExitCode.INTERRUPTED : ExitCode.OK;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      'scan a host (or every live host of a CIDR block): open ports, services, OS, vulnerabilities',
    )
    .argument(
      '<target>',
      'IP address, host name, or CIDR block (e.g. 10.0.0.0/24: live hosts are found first)',
    )
    .option(
      '-p, --ports <ports>',
      'ports: 1-1000, 22,80,443, - (all), top100, top1000 (default top1000; UDP: probed services)',
    )
    .option('-u, --udp', 'UDP scan with protocol probes instead of TCP')
    .option('--sV', 'identify services and versions on open ports')
    .option('--os', 'guess the operating system (SYN-ACK capture needs root; else TTL only)')
    .option('--vulns', 'match identified services against the vulnerability database (implies --sV)')
    .option('--db <file>', 'vulnerability database (default: the imported one, else the bundled sample)')
    .option(
      '--strategy <name>',
      `scan strategy: ${listPortScanStrategies()
        .map((s) => s.name)
        .join(', ')} (default: syn as root on IPv4, else connect; udp with --udp)`,
    )
    .option('--concurrency <n>', 'most probes in flight (default 512 TCP, 64 UDP)')
    .option('--retries <n>', 'extra probes for silent ports (default 2)')
    .option('--timeout <ms>', 'probe timeout before round trips are measured (default 1000)')
    .option('--host-timeout <ms>', 'time limit per host; unanswered ports are reported filtered')
    .option('--allow-large', 'allow CIDR blocks of more than 1024 addresses')
    .option('--no-discovery', 'with a CIDR block: scan every address, not only hosts found alive')
    .option('--dns <servers>', 'DNS servers (comma-separated) for reverse names during discovery')
    .option('--json', 'print one JSON object')
    .action(
      action(async (target: string, o: ScanCliOptions & { discovery?: boolean }) => {
        return runScan(target, { ...o, noDiscovery: o.discovery === false });
      }),
    );
}
