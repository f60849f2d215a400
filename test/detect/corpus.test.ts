/**
 * The detectors with their default settings on real captures, run through the IDS engine:
 * - lab-basic: every incident of lab-basic.truth.json is reported with its source (and the
 *   victim as destination), and no high or critical alert names a benign source;
 * - the nmap and masscan captures raise scan alerts naming the scanner, which tshark
 *   identifies independently as the address sending the probes;
 * - benign nfstream captures raise no high or critical alert; the two attack captures in that
 *   folder (a SQL injection and a SYN scan) raise their alerts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDetectors } from '../../src/detect/registry.js';
import type { EveAlertRecord } from '../../src/ids/eve.js';
import { runCommand } from '../../src/sys/exec.js';
import { corpusFiles, corpusPath } from '../helpers/corpus.js';
import { engineAlerts, kind, sev } from './run.js';

interface Incident {
  type: string;
  src: string;
  dst: string;
}

/** Which alert kinds (and sids, where the kind is shared) report each incident type. */
const REPORTED_BY: Record<string, (a: EveAlertRecord) => boolean> = {
  port_scan: (a) => kind(a) === 'port_scan',
  sql_injection: (a) => kind(a) === 'sql_injection',
  xss: (a) => kind(a) === 'xss',
  path_traversal: (a) => kind(a) === 'path_traversal',
  brute_force_http: (a) => kind(a) === 'brute_force' && a.app_proto === 'http',
  brute_force_ssh: (a) => kind(a) === 'brute_force' && a.dest_port === 22,
  syn_flood: (a) => kind(a) === 'syn_flood' && a.dest_port === 80,
  udp_flood: (a) => kind(a) === 'udp_flood' && a.dest_port === 53,
};

const HIGH = new Set(['high', 'critical']);

/** nfstream captures of attacks, not benign traffic. */
const NFSTREAM_ATTACKS = new Set(['WebattackSQLinj.pcap', 'synscan.pcap']);

describe('detectors on lab-basic (defaults)', () => {
  const truth = JSON.parse(readFileSync(corpusPath('lab', 'lab-basic.truth.json'), 'utf8')) as {
    incidents: Incident[];
    benign: { src: string[] };
  };
  let alerts: EveAlertRecord[] = [];

  it('runs', async () => {
    alerts = await engineAlerts(corpusPath('lab', 'lab-basic.pcap'), createDetectors());
    expect(alerts.length).toBeGreaterThan(0);
  });

  for (const inc of truth.incidents) {
    it(`reports ${inc.type} from ${inc.src}`, () => {
      const match = REPORTED_BY[inc.type];
      expect(match, `no mapping for incident type ${inc.type}`).toBeDefined();
      const hits = alerts.filter((a) => match(a) && a.src_ip === inc.src && a.dest_ip === inc.dst);
      expect(
        hits.length,
        `alerts: ${JSON.stringify(alerts.map((a) => [a.alert.signature, a.src_ip]))}`,
      ).toBeGreaterThan(0);
    });
  }

  it('raises no high or critical alert naming a benign source', () => {
    const benign = new Set(truth.benign.src);
    const bad = alerts.filter((a) => HIGH.has(sev(a)) && (benign.has(a.src_ip) || benign.has(a.dest_ip)));
    expect(bad).toEqual([]);
    // and none at all names them as the source, whatever the severity
    expect(alerts.filter((a) => benign.has(a.src_ip))).toEqual([]);
  });

  it('writes the severity word, the EVE severity and the detector into each alert', () => {
    for (const a of alerts) {
      const word = sev(a);
      expect(['low', 'medium', 'high', 'critical']).toContain(word);
      expect(a.alert.severity).toBe(word === 'low' ? 3 : word === 'medium' ? 2 : 1);
      expect(a.alert.metadata?.detector?.[0]).toMatch(/^(portscan|dos|bruteforce|webattack)$/);
      expect(a.alert.signature_id).toBeGreaterThanOrEqual(9100000);
      expect(a.alert.signature_id).toBeLessThan(9200000);
    }
  });
});

/** The address that sent the probes, by tshark: the most frequent sender of SYNs or UDP datagrams. */
async function tsharkScanner(file: string): Promise<string> {
  const r = await runCommand([
    'tshark',
    '-r',
    file,
    '-Y',
    '(tcp.flags.syn==1 && tcp.flags.ack==0) || udp',
    '-T',
    'fields',
    '-e',
    'ip.src',
  ]);
  const counts = new Map<string, number>();
  for (const l of r.stdout.split('\n')) if (l.trim()) counts.set(l.trim(), (counts.get(l.trim()) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

describe('scan captures (nmap, masscan)', () => {
  for (const file of corpusFiles('attacks')) {
    it(`${path.basename(file)} raises a scan alert naming the scanner`, async () => {
      const scanner = await tsharkScanner(file);
      const alerts = await engineAlerts(file, createDetectors());
      const scans = alerts.filter((a) => kind(a) === 'port_scan');
      expect(scans.length).toBeGreaterThan(0);
      for (const a of scans) expect(a.src_ip).toBe(scanner);
    });
  }
});

describe('nfstream captures', () => {
  const files = corpusFiles(path.join('nfstream', 'pcaps'));

  it('benign captures raise no high or critical alert', async () => {
    const bad: string[] = [];
    let benign = 0;
    for (const f of files) {
      if (NFSTREAM_ATTACKS.has(path.basename(f))) continue;
      benign++;
      for (const a of await engineAlerts(f, createDetectors())) {
        if (HIGH.has(sev(a)))
          bad.push(`${path.basename(f)}: ${a.alert.signature} ${a.src_ip} -> ${a.dest_ip}`);
      }
    }
    expect(benign).toBeGreaterThan(200);
    expect(bad).toEqual([]);
  }, 300_000);

  it('WebattackSQLinj.pcap raises SQL injection alerts from the attacker', async () => {
    const f = corpusPath('nfstream', 'pcaps', 'WebattackSQLinj.pcap');
    const alerts = (await engineAlerts(f, createDetectors())).filter((a) => kind(a) === 'sql_injection');
    expect(alerts.length).toBeGreaterThan(0);
    // the client of every request in the capture, by tshark
    const r = await runCommand(['tshark', '-r', f, '-Y', 'http.request', '-T', 'fields', '-e', 'ip.src']);
    const clients = new Set(r.stdout.split('\n').filter((l) => l.trim()));
    for (const a of alerts) expect(clients.has(a.src_ip)).toBe(true);
  });

  it('synscan.pcap raises a scan alert naming the scanner', async () => {
    const f = corpusPath('nfstream', 'pcaps', 'synscan.pcap');
    const scanner = await tsharkScanner(f);
    const scans = (await engineAlerts(f, createDetectors())).filter((a) => kind(a) === 'port_scan');
    expect(scans.length).toBeGreaterThan(0);
    for (const a of scans) expect(a.src_ip).toBe(scanner);
  });
});
