/** `sentra scan` and `sentra vulndb` as users run them (the built CLI), against a namespace host. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ScanLab } from './lab.js';

describe('sentra scan / sentra vulndb', () => {
  const lab = new ScanLab();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-scan-cli-'));
  beforeAll(async () => {
    await lab.start(['web', 'ssh']);
    await lab.nginx(lab.host('web'));
    await lab.sshd(lab.host('ssh'));
    await lab.dnsmasq(
      lab.host('web'),
      lab.hosts.map((h) => ({ name: `${h.name}.cli.test`, ip: h.ip })),
    );
  });
  afterAll(async () => {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json: open ports, services with versions, OS and vulnerabilities of one host', async () => {
    // no imported database here: the bundled sample is used
    const env = { SENTRA_VULNDB: path.join(dir, 'none.json') };
    const r = await runCli(
      ['scan', lab.host('ssh').ip, '-p', '1-1024', '--sV', '--os', '--vulns', '--json'],
      { env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const h = out.hosts[0];
    expect(h.ports.open_ports).toEqual([22]);
    expect(h.services[0].product).toBe('OpenSSH');
    expect(h.os.os).toBe('Linux');
    expect(h.vulnerabilities.length).toBeGreaterThan(0);
    expect(h.vulnerabilities[0]).toHaveProperty('cve_id');
    expect(out.interrupted).toBe(false);
  });

  it('a CIDR block: discovery first, then each live host; text output', async () => {
    const r = await runCli(['scan', `${lab.net}.0/29`, '-p', '22,53,80', '--dns', lab.host('web').ip]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 live hosts');
    expect(r.stdout).toContain(`Scan of ${lab.host('web').ip}`);
    expect(r.stdout).toContain('(web.cli.test)');
    expect(r.stdout).toMatch(/80\/tcp\s+open\s+http/);
    expect(r.stdout).toMatch(/22\/tcp\s+open\s+ssh/);
  });

  it('bad input exits 2 with a typed error', async () => {
    const bad = await runCli(['scan', lab.host('web').ip, '-p', '0-5', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe('SENTRA_ERR_INVALID_PORT_RANGE');
    const big = await runCli(['scan', '10.0.0.0/8', '--json']);
    expect(big.code).toBe(2);
    expect(JSON.parse(big.stdout).error.code).toBe('SENTRA_ERR_SCAN_TARGET_TOO_LARGE');
  });

  it('vulndb import merges a feed into the database that scan --vulns then uses', async () => {
    const feed = path.join(dir, 'feed.json');
    writeFileSync(
      feed,
      JSON.stringify({
        format: 'NVD_CVE',
        version: '2.0',
        vulnerabilities: [
          {
            cve: {
              id: 'CVE-2099-4242',
              descriptions: [{ lang: 'en', value: 'crafted: every nginx' }],
              metrics: {},
              configurations: [
                {
                  nodes: [
                    {
                      operator: 'OR',
                      cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*' }],
                    },
                  ],
                },
              ],
            },
          },
        ],
      }),
    );
    const db = path.join(dir, 'db.json');
    const imp = await runCli(['vulndb', 'import', feed, '--db', db, '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ format: 'nvd', imported: 1, added: 1, total: 1 });
    const info = await runCli(['vulndb', 'info', '--db', db, '--json']);
    expect(JSON.parse(info.stdout).records).toBe(1);
    const r = await runCli(['scan', lab.host('web').ip, '-p', '80', '--vulns', '--db', db, '--json']);
    const v = JSON.parse(r.stdout).hosts[0].vulnerabilities;
    expect(v.map((x: { cve_id: string }) => x.cve_id)).toEqual(['CVE-2099-4242']);
    expect(v[0].severity).toBe('UNKNOWN');
    const missing = await runCli(['vulndb', 'import', path.join(dir, 'nope.json'), '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('SENTRA_ERR_IO');
  });

  it('vulndb match lists the sample records for a CPE', async () => {
    const r = await runCli(['vulndb', 'match', 'cpe:2.3:a:redis:redis:7.0.15:*:*:*:*:*:*:*', '--json'], {
      env: { SENTRA_VULNDB: path.join(dir, 'none.json') },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings.map((f: { cve_id: string }) => f.cve_id)).toEqual([
      'CVE-2024-31449',
    ]);
  });
});
