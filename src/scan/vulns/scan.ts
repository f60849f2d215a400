/**
 * `scanVulnerabilities`: the spec's `scan_vulnerabilities(target)`. Finds open ports, identifies
 * their services (product, version, CPE) and matches them against the local database.
 * Findings are version-based: a distribution that backports fixes without changing the upstream
 * version (Debian, RHEL) is reported as vulnerable unless an OSV record of that distribution
 * says otherwise — the result says what matched, so a person can check.
 */
import { type ScanPortsOptions, scanPorts } from '../ports/scan.js';
import { scanServiceVersion } from '../services/detect.js';
import type { ServiceInfo, VulnerabilityFinding } from '../types.js';
import { runPool } from '../util/pool.js';
import { matchServices } from './match.js';
import { VulnDb } from './store.js';

export interface VulnScanOptions extends ScanPortsOptions {
  /** Ports to look at (default `top1000`). */
  ports?: string | number[];
  /** Database or its file; default: the imported database, else the bundled sample. */
  db?: VulnDb | string;
  /** Already detected services: skips the port scan and detection. */
  services?: ServiceInfo[];
  /** Services identified at once (default 8). */
  detectConcurrency?: number;
}

/** Detected services of `target` and the vulnerabilities that match them. */
export async function scanVulnerabilitiesDetailed(
  target: string,
  opts: VulnScanOptions = {},
): Promise<{ services: ServiceInfo[]; findings: VulnerabilityFinding[]; database: string; records: number }> {
  const db = opts.db instanceof VulnDb ? opts.db : VulnDb.open(opts.db);
  let services = opts.services;
  if (!services) {
    const scan = await scanPorts(target, opts.ports ?? 'top1000', opts);
    const found: ServiceInfo[] = [];
    await runPool(scan.open_ports, opts.detectConcurrency ?? 8, async (port) => {
      found.push(await scanServiceVersion(scan.address, port));
    });
    services = found.sort((a, b) => a.port - b.port);
  }
  return { services, findings: matchServices(services, db), database: db.source, records: db.size };
}

/** Vulnerabilities of the services on `target`, most severe first. */
export async function scanVulnerabilities(
  target: string,
  opts: VulnScanOptions = {},
): Promise<VulnerabilityFinding[]> {
  return (await scanVulnerabilitiesDetailed(target, opts)).findings;
}
