/**
 * The spec's scanning scripts, port_scan.sn and usecase3_security_scanner.sn, run with
 * `sentra run` in the lab's control namespace: the 192.168.1.0/24 they scan is the lab's /24
 * (`--target-map`), whose hosts run real servers — OpenSSH and nginx on .1 (the script's
 * 192.168.1.1), nginx and an FTP banner on .2, nothing on .3. Open ports and live hosts are
 * checked against nmap run in the same namespace; versions against the installed binaries;
 * vulnerabilities against the bundled NVD sample's version ranges.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/corpus.js';
import { isRoot, run } from '../helpers/netns.js';
import { ExampleLab } from './lab.js';

const lab = new ExampleLab();
const canRun = isRoot();
let sshVersion = '';
let nginxVersion = '';

beforeAll(async () => {
  if (!canRun) return;
  await lab.startLab([
    { name: 'gw', octet: 1 },
    { name: 'web', octet: 2 },
    { name: 'quiet', octet: 3 },
  ]);
  await lab.sshd(lab.host('gw'));
  await lab.nginx(lab.host('gw'));
  await lab.nginx(lab.host('web'));
  await lab.nodeServer(lab.host('web'), [21], '220 (vsFTPd 3.0.3)\r\n');
  sshVersion = /OpenSSH_([\d.]+p\d+)/.exec((await run(['ssh', '-V'])).stderr)?.[1] ?? '';
  nginxVersion = /nginx\/([\d.]+)/.exec((await run(['nginx', '-v'])).stderr)?.[1] ?? '';
}, 90_000);

afterAll(async () => {
  if (canRun) await lab.destroy();
});

/** Host names for the lab's addresses, so that discovery shows them (a confined run asks no DNS). */
function names(): string {
  return ['gw', 'web', 'quiet'].map((h) => `${h}=${lab.host(h).ip}`).join(',');
}

/** Open TCP ports 1-1000 of `ip` by nmap, run from the control namespace. */
async function nmapOpen(ip: string): Promise<number[]> {
  const { stdout } = await lab.inCtl(
    ['nmap', '-sT', '-n', '-Pn', '-T4', '-p', '1-1000', '-oG', '-', ip],
    120_000,
  );
  const ports = /Ports: (.*)$/m.exec(stdout)?.[1] ?? '';
  return ports
    .split(',')
    .map((e) => e.trim().split('/'))
    .filter((f) => f[1] === 'open')
    .map((f) => Number(f[0]));
}

/** The live hosts of the lab's /24 by nmap's ping scan from the control namespace. */
async function nmapHosts(): Promise<string[]> {
  const { stdout } = await lab.inCtl(['nmap', '-sn', '-n', '-oG', '-', `${lab.net}.0/24`], 120_000);
  return [...stdout.matchAll(/^Host: (\S+) .*Status: Up/gm)].map((m) => m[1]).sort();
}

/** Numeric parts of a version (`9.2p1` -> [9, 2]), compared part by part. */
function cmp(a: string, b: string): number {
  const pa = a
    .split(/[^\d.]/)[0]
    .split('.')
    .map(Number);
  const pb = b
    .split(/[^\d.]/)[0]
    .split('.')
    .map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** CVE ids of the bundled NVD sample whose version ranges for `product` contain `version`. */
function expectedCves(product: string, version: string): string[] {
  const doc = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'data', 'vulndb', 'sample-nvd.json'), 'utf8'));
  const out = new Set<string>();
  for (const { cve } of doc.vulnerabilities) {
    for (const conf of cve.configurations ?? [])
      for (const node of conf.nodes)
        for (const m of node.cpeMatch) {
          if (!m.vulnerable || m.criteria.split(':')[4] !== product || m.criteria.split(':')[5] !== '*')
            continue;
          if (m.versionStartIncluding && cmp(version, m.versionStartIncluding) < 0) continue;
          if (m.versionEndExcluding && cmp(version, m.versionEndExcluding) >= 0) continue;
          out.add(cve.id);
        }
  }
  return [...out].sort();
}

describe.skipIf(!canRun)('scanning examples', () => {
  it('port_scan.sn: open ports, services, versions, OS of 192.168.1.1; hosts and vulnerabilities of the /24', async () => {
    const r = await lab.runScript(lab.example('port_scan.sn'), 240, ['--target-map', names()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const gw = lab.host('gw');
    const out = r.stdout;
    expect(out).toContain(`Scan target: ${gw.ip}\n`);
    const open = await nmapOpen(gw.ip);
    expect(open).toEqual([22, 80]);
    expect(out).toContain(`Open ports: ${open.length}\n`);
    expect(out).toContain(`  Port 22: ssh\n    Version: 22/tcp ssh OpenSSH ${sshVersion}`);
    expect(out).toContain(`  Port 80: http\n    Version: 80/tcp http nginx ${nginxVersion}`);
    expect(out).toMatch(/\nOperating System: Linux \(/);

    // discovery: the hosts nmap's ping scan finds (the lab's, the control host among them)
    const hosts = await nmapHosts();
    expect(out).toContain(`\nDiscovered ${hosts.length} hosts:\n`);
    const listed = [...out.matchAll(/^ {2}(\d+\.\d+\.\d+\.\d+) \((\w*)\)$/gm)].map((m) => [m[1], m[2]]);
    expect(listed.map((l) => l[0]).sort()).toEqual(hosts);
    expect(listed).toContainEqual([gw.ip, 'gw']);

    // vulnerabilities: OpenSSH and nginx on .1, nginx on .2, as the sample database's ranges say
    const ssh = expectedCves('openssh', sshVersion);
    const nginx = expectedCves('nginx', nginxVersion);
    expect(ssh.length).toBeGreaterThan(0);
    const section = (ip: string) => out.split(`  ${ip} (`)[1]?.split(/\n {2}\d/)[0] ?? '';
    const cves = (text: string) => [...text.matchAll(/ {6}(CVE-\d+-\d+): /g)].map((m) => m[1]).sort();
    expect(section(gw.ip)).toContain(`VULNERABILITIES FOUND: ${ssh.length + nginx.length}\n`);
    expect(cves(section(gw.ip))).toEqual([...ssh, ...nginx].sort());
    expect(cves(section(lab.host('web').ip))).toEqual(nginx);
    expect(section(lab.host('quiet').ip)).not.toContain('VULNERABILITIES');
  }, 300_000);

  it('usecase3_security_scanner.sn: the four steps over the lab /24 and the report', async () => {
    const r = await lab.runScript(lab.example('usecase3_security_scanner.sn'), 240, [
      '--target-map',
      names(),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    const hosts = await nmapHosts();
    expect(out).toContain(`Target: 192.168.1.0/24\n`);
    expect(out).toContain(`Found ${hosts.length} active hosts\n`);
    for (const h of hosts) expect(out).toContain(`  Scanning ${h}...\n`);
    const gw = lab.host('gw');
    const web = lab.host('web');
    // step 3: the services of the two hosts with open ports
    expect(out).toContain(`  Host: ${gw.ip}\n    Port 22: 22/tcp ssh OpenSSH ${sshVersion}`);
    expect(out).toContain(`    Port 80: 80/tcp http nginx ${nginxVersion}`);
    expect(out).toContain(`  Host: ${web.ip}\n    Port 21: 21/tcp ftp vsftpd 3.0.3`);
    // step 4 and the report
    const ssh = expectedCves('openssh', sshVersion);
    const nginx = expectedCves('nginx', nginxVersion);
    expect(out).toContain(`  ${gw.ip}: FOUND ${ssh.length + nginx.length} vulnerabilities\n`);
    expect(out).toContain(`  ${web.ip}: FOUND ${nginx.length} vulnerabilities\n`);
    expect(out).toMatch(/\n {4}\[(CRITICAL|HIGH|MEDIUM|LOW)\] CVE-\d+-\d+\n {6}\S/);
    expect(out).toContain(
      `\n=== Scan Complete ===\nHosts scanned: ${hosts.length}\nHosts with open ports: 2\nTotal vulnerabilities: ${ssh.length + 2 * nginx.length}\n`,
    );
  }, 300_000);
});
