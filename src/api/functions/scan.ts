/**
 * Section 7 of the spec, scanning: the scanner's functions with targets renamed and confined by
 * `--target-map`. As the spec's scripts use them, `scan_service_version` and
 * `scan_os_fingerprint` return one line of text (the scanner's `summary`); TypeScript callers
 * who want the fields call `scanServiceVersion` / `scanOsFingerprint` from src/scan.
 */
import { randomBytes } from 'node:crypto';
import { scanNetwork } from '../../scan/discovery/network.js';
import { scanOsFingerprint } from '../../scan/os/fingerprint.js';
import { scanPorts } from '../../scan/ports/scan.js';
import { scanServiceVersion } from '../../scan/services/detect.js';
import { scanVulnerabilities } from '../../scan/vulns/scan.js';
import { defineApi } from '../types.js';

const TARGET = { name: 'target', type: 'string', doc: 'IP address or host name' } as const;

export const SCAN_FUNCTIONS = {
  scan_ports: defineApi({
    summary: 'Scan TCP ports of a host (SYN scan as root, else connect)',
    params: [
      TARGET,
      {
        name: 'portRange',
        type: 'string|number',
        optional: true,
        doc: '`1-1000`, `22,80,443`, `top100`, `top1000` (default), `-` for all',
      },
    ],
    returns:
      '`{id, target, address, open_ports, services: {"port": name}, closed, filtered, filtered_ports, scanned, timings, summary}`',
    fn: async (ctx, target: string, portRange?: string | number | null) => {
      const r = await scanPorts(ctx.mapTarget(target, 'scan target'), portRange ?? undefined, {
        signal: ctx.signal,
      });
      return { id: `scan-${randomBytes(6).toString('hex')}`, ...r };
    },
  }),
  scan_network: defineApi({
    summary: 'Find the live hosts of a network (TCP, ICMP and ARP probes)',
    params: [
      { name: 'networkCIDR', type: 'string', doc: 'e.g. `192.168.1.0/24` (at most 65,536 addresses)' },
    ],
    returns: 'an array of `{ip, hostname, mac, latency, methods, summary}`',
    fn: async (ctx, networkCIDR: string) => {
      const cidr = ctx.mapTarget(networkCIDR, 'network');
      // a confined run asks no DNS server outside it: names come from the target map
      const confined = ctx.targets.confined;
      const hosts = await scanNetwork(cidr, { signal: ctx.signal, reverseDns: !confined });
      if (confined) for (const h of hosts) h.hostname = ctx.targets.nameOf(h.ip);
      return hosts;
    },
  }),
  scan_service_version: defineApi({
    summary: 'Identify the service and version on a port (banners, probes, TLS)',
    params: [TARGET, { name: 'port', type: 'port', doc: 'TCP port' }],
    returns: 'one line, e.g. `22/tcp ssh OpenSSH 9.2p1 (Debian-2+deb12u3)`',
    fn: async (ctx, target: string, port: number) =>
      (await scanServiceVersion(ctx.mapTarget(target, 'scan target'), port)).summary,
  }),
  scan_os_fingerprint: defineApi({
    summary: "Guess the operating system from a SYN-ACK's TTL, window and TCP options",
    params: [TARGET],
    returns:
      'one line, e.g. `Linux (linux-5, 95% confidence; TTL 64/64, window 65160, options mss,sok,ts,nop,ws)`',
    fn: async (ctx, target: string) =>
      (await scanOsFingerprint(ctx.mapTarget(target, 'scan target'))).summary,
  }),
  scan_vulnerabilities: defineApi({
    summary: "Match the host's detected services (top 1000 ports) against the vulnerability database",
    params: [TARGET],
    returns:
      'an array of `{cve_id, severity, cvss, description, port, product, version, cpe, matched, summary}`',
    fn: async (ctx, target: string) =>
      scanVulnerabilities(ctx.mapTarget(target, 'scan target'), { signal: ctx.signal }),
  }),
};
