/**
 * Vulnerability matching: version order, range bounds (including/excluding start and end) on
 * crafted NVD and OSV records, CVSS 3.x scores (oracle: the scores NVD published for the sample
 * records' vectors), importers, the database file, and an end-to-end scan of a namespace running
 * the installed OpenSSH.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { parseCpe } from '../../src/scan/cpe.js';
import type { ServiceInfo } from '../../src/scan/types.js';
import { cvss3BaseScore } from '../../src/scan/vulns/cvss.js';
import { criterionMatchesCpe, matchServices } from '../../src/scan/vulns/match.js';
import { importNvdJson } from '../../src/scan/vulns/nvd.js';
import { importOsvJson } from '../../src/scan/vulns/osv.js';
import { scanVulnerabilities, scanVulnerabilitiesDetailed } from '../../src/scan/vulns/scan.js';
import { importIntoDb, readFeed, SAMPLE_DB_PATH, VulnDb } from '../../src/scan/vulns/store.js';
import { compareVersions, inVersionRange } from '../../src/scan/vulns/version.js';
import { run } from '../helpers/netns.js';
import { ScanLab } from './lab.js';

function nvdDoc(records: { id: string; matches: Record<string, unknown>[]; score?: number }[]) {
  return {
    format: 'NVD_CVE',
    version: '2.0',
    vulnerabilities: records.map((r) => ({
      cve: {
        id: r.id,
        published: '2024-01-01T00:00:00.000',
        lastModified: '2024-01-02T00:00:00.000',
        descriptions: [{ lang: 'en', value: `test record ${r.id}` }],
        metrics: {
          cvssMetricV31: [
            {
              type: 'Primary',
              cvssData: { version: '3.1', baseScore: r.score ?? 5, baseSeverity: 'MEDIUM', vectorString: '' },
            },
          ],
        },
        configurations: [{ nodes: [{ operator: 'OR', negate: false, cpeMatch: r.matches }] }],
      },
    })),
  };
}

function service(cpe: string, port = 80, extra = ''): ServiceInfo {
  const c = parseCpe(cpe);
  return {
    target: 't',
    port,
    protocol: 'tcp',
    service: 'x',
    product: c.product,
    version: c.version,
    extra,
    cpe,
    tunnel: '',
    banner: '',
    probe: '',
    confidence: 'version',
    summary: '',
  };
}

describe('version order', () => {
  it('orders numeric, patch-letter and pre-release versions', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-beta.2',
      '1.0.0-rc1',
      '1.0',
      '1.0.1',
      '1.1.1',
      '1.1.1a',
      '1.1.1w',
      '1.2',
      '9.2p1',
      '9.3',
      '9.3p1',
      '9.3p2',
      '9.8',
      '10.0',
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareVersions(ordered[i], ordered[i + 1]), `${ordered[i]} < ${ordered[i + 1]}`).toBeLessThan(
        0,
      );
      expect(compareVersions(ordered[i + 1], ordered[i])).toBeGreaterThan(0);
    }
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions('v2.4.57', '2.4.57')).toBe(0);
    expect(compareVersions('1:9.2p1-2+deb12u3', '9.9')).toBeGreaterThan(0); // epoch wins
    expect(compareVersions('9.2p1-2+deb12u10', '9.2p1-2+deb12u3')).toBeGreaterThan(0);
    expect(compareVersions('2.0~rc1', '2.0')).toBeLessThan(0);
  });
});

describe('range bounds on crafted NVD records', () => {
  const db = new VulnDb(
    importNvdJson(
      nvdDoc([
        {
          id: 'CVE-2099-0001',
          matches: [
            {
              vulnerable: true,
              criteria: 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*',
              versionStartIncluding: '1.0',
              versionEndExcluding: '2.0',
            },
          ],
        },
        {
          id: 'CVE-2099-0002',
          matches: [
            {
              vulnerable: true,
              criteria: 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*',
              versionStartExcluding: '1.0',
              versionEndIncluding: '2.0',
            },
          ],
        },
        {
          id: 'CVE-2099-0003',
          matches: [{ vulnerable: true, criteria: 'cpe:2.3:a:acme:widget:1.5:*:*:*:*:*:*:*' }],
        },
        {
          id: 'CVE-2099-0004',
          matches: [{ vulnerable: true, criteria: 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*' }],
        },
        // the platform entry (vulnerable: false) is not required: a scan cannot see it
        {
          id: 'CVE-2099-0005',
          matches: [
            { vulnerable: false, criteria: 'cpe:2.3:o:acme:os:*:*:*:*:*:*:*:*' },
            {
              vulnerable: true,
              criteria: 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*',
              versionEndExcluding: '0.9',
            },
          ],
        },
        {
          id: 'CVE-2099-0006',
          matches: [{ vulnerable: true, criteria: 'cpe:2.3:a:other:widget:*:*:*:*:*:*:*:*' }],
        },
      ]),
    ).records,
  );
  const ids = (version: string) =>
    matchServices([service(`cpe:2.3:a:acme:widget:${version}:*:*:*:*:*:*:*`)], db)
      .map((f) => f.cve_id)
      .sort();

  it('start including / end excluding: [1.0, 2.0)', () => {
    expect(ids('1.0')).toContain('CVE-2099-0001');
    expect(ids('1.9.9')).toContain('CVE-2099-0001');
    expect(ids('2.0')).not.toContain('CVE-2099-0001');
    expect(ids('0.99')).not.toContain('CVE-2099-0001');
  });

  it('start excluding / end including: (1.0, 2.0]', () => {
    expect(ids('1.0')).not.toContain('CVE-2099-0002');
    expect(ids('1.0.1')).toContain('CVE-2099-0002');
    expect(ids('2.0')).toContain('CVE-2099-0002');
    expect(ids('2.0.1')).not.toContain('CVE-2099-0002');
  });

  it('a CPE naming one version matches that version only; no range means every version', () => {
    expect(ids('1.5')).toEqual(['CVE-2099-0001', 'CVE-2099-0002', 'CVE-2099-0003', 'CVE-2099-0004']);
    expect(ids('1.6')).toEqual(['CVE-2099-0001', 'CVE-2099-0002', 'CVE-2099-0004']);
    expect(ids('0.5')).toEqual(['CVE-2099-0004', 'CVE-2099-0005']);
  });

  it('another vendor with the same product name does not match', () => {
    expect(ids('1.5')).not.toContain('CVE-2099-0006');
  });

  it('OpenSSH versions with update letters: 9.2p1 is in < 9.3, 9.3p2 is not in < 9.3p2', () => {
    const cr = { cpe: 'cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*', versionEndExcluding: '9.3p2' };
    expect(criterionMatchesCpe(cr, parseCpe('cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*'))).not.toBeNull();
    expect(criterionMatchesCpe(cr, parseCpe('cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*'))).not.toBeNull();
    expect(criterionMatchesCpe(cr, parseCpe('cpe:2.3:a:openbsd:openssh:9.3:p2:*:*:*:*:*:*'))).toBeNull();
    expect(inVersionRange('9.3p2', cr)).toBe(false);
  });

  it('nginx filed under either vendor (nginx:nginx and f5:nginx) matches', () => {
    const old = new VulnDb(
      importNvdJson(
        nvdDoc([
          {
            id: 'CVE-2099-0100',
            matches: [
              {
                vulnerable: true,
                criteria: 'cpe:2.3:a:nginx:nginx:*:*:*:*:*:*:*:*',
                versionEndExcluding: '1.5',
              },
            ],
          },
        ]),
      ).records,
    );
    expect(
      matchServices([service('cpe:2.3:a:f5:nginx:1.4.0:*:*:*:*:*:*:*')], old).map((f) => f.cve_id),
    ).toEqual(['CVE-2099-0100']);
  });
});

describe('OSV records', () => {
  const osv = [
    {
      id: 'OSV-2099-1',
      aliases: ['CVE-2099-1111'],
      summary: 'widget overflow',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'OSS-Fuzz', name: 'widget' },
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [
                { introduced: '0' },
                { fixed: '1.2.0' },
                { introduced: '2.0.0' },
                { last_affected: '2.1.0' },
              ],
            },
          ],
          versions: ['3.0.0'],
        },
        {
          package: { ecosystem: 'Debian:12', name: 'openssh' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:9.2p1-2+deb12u3' }] }],
        },
        {
          package: { ecosystem: 'GIT', name: 'x' },
          ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }],
        },
      ],
    },
    { id: 'OSV-2099-2', withdrawn: '2024-01-01T00:00:00Z', affected: [] },
  ];

  it('imports ranges: introduced "0" is open, fixed excluded, last_affected included, explicit versions kept; withdrawn skipped', () => {
    const { records, skipped } = importOsvJson({ vulns: osv });
    expect(skipped).toBe(1);
    expect(records).toHaveLength(1);
    const r = records[0];
    expect(r.id).toBe('CVE-2099-1111');
    expect(r.aliases).toEqual(['OSV-2099-1']);
    expect(r.cvss).toBe(9.8);
    expect(r.severity).toBe('CRITICAL');
    expect(r.criteria).toEqual([
      { package: { ecosystem: 'OSS-Fuzz', name: 'widget' }, versionEndExcluding: '1.2.0' },
      {
        package: { ecosystem: 'OSS-Fuzz', name: 'widget' },
        versionStartIncluding: '2.0.0',
        versionEndIncluding: '2.1.0',
      },
      { package: { ecosystem: 'OSS-Fuzz', name: 'widget' }, versions: ['3.0.0'] },
      { package: { ecosystem: 'Debian:12', name: 'openssh' }, versionEndExcluding: '1:9.2p1-2+deb12u3' },
    ]);
    const db = new VulnDb(records);
    const hit = (v: string) =>
      matchServices([service(`cpe:2.3:a:acme:widget:${v}:*:*:*:*:*:*:*`)], db).length;
    expect([hit('1.1.9'), hit('1.2.0'), hit('2.0.0'), hit('2.1.0'), hit('2.1.1'), hit('3.0.0')]).toEqual([
      1, 0, 1, 1, 0, 1,
    ]);
  });

  it('Debian records compare with the package revision the OpenSSH banner announces', () => {
    const db = new VulnDb(importOsvJson(osv).records);
    const ssh = (extra: string) =>
      matchServices([service('cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*', 22, extra)], db).length;
    expect(ssh('Debian-2+deb12u2')).toBe(1);
    expect(ssh('Debian-2+deb12u3')).toBe(0);
    expect(ssh('Debian-2+deb12u10')).toBe(0);
    // without a Debian revision a Debian record cannot be judged
    expect(ssh('')).toBe(0);
  });
});

describe('CVSS 3.x base scores (oracle: NVD scores of the sample records)', () => {
  it('computes the published scores from the vectors', () => {
    const { records } = readFeed(SAMPLE_DB_PATH);
    expect(records.length).toBe(12);
    for (const r of records) expect(cvss3BaseScore(r.cvss_vector), r.id).toBe(r.cvss);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toBe(10);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')).toBe(6.1);
    expect(cvss3BaseScore('not a vector')).toBeNull();
  });
});

describe('database file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-vulndb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a gzip NVD feed, merges a second import by id, keeps the newer record', () => {
    const feed = path.join(dir, 'feed.json.gz');
    const doc = nvdDoc([
      {
        id: 'CVE-2099-0200',
        matches: [{ vulnerable: true, criteria: 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*' }],
      },
    ]);
    writeFileSync(feed, gzipSync(JSON.stringify(doc)));
    const db = path.join(dir, 'db.json');
    const first = importIntoDb(feed, db);
    expect([first.format, first.imported, first.added, first.total]).toEqual(['nvd', 1, 1, 1]);
    doc.vulnerabilities[0].cve.lastModified = '2025-01-01T00:00:00.000';
    doc.vulnerabilities[0].cve.descriptions[0].value = 'updated';
    writeFileSync(path.join(dir, 'feed2.json'), JSON.stringify(doc));
    const second = importIntoDb(path.join(dir, 'feed2.json'), db);
    expect([second.added, second.updated, second.total]).toEqual([0, 1, 1]);
    expect([...VulnDb.open(db).records.values()][0].description).toBe('updated');
  });

  it('imports a directory of OSV files (an unpacked OSV export)', () => {
    const osvDir = path.join(dir, 'osv');
    mkdirSync(osvDir);
    for (const [i, name] of ['alpha', 'beta'].entries()) {
      writeFileSync(
        path.join(osvDir, `OSV-2099-${i}.json`),
        JSON.stringify({
          id: `OSV-2099-${i}`,
          summary: name,
          affected: [
            {
              package: { ecosystem: 'PyPI', name },
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] }],
            },
          ],
        }),
      );
    }
    writeFileSync(path.join(osvDir, 'README.txt'), 'not a record');
    const r = importIntoDb(osvDir, path.join(dir, 'osv-db.json'));
    expect([r.format, r.files, r.imported, r.total]).toEqual(['osv', 2, 2, 2]);
    const db = VulnDb.open(path.join(dir, 'osv-db.json'));
    const hit = matchServices([service('cpe:2.3:a:acme:beta:1.5:*:*:*:*:*:*:*')], db);
    expect(hit.map((f) => f.cve_id)).toEqual(['OSV-2099-1']);
  });

  it('refuses files that are not feeds, with a typed error', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"NVD_CVE"');
    expect(() => readFeed(bad)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }));
    expect(() => readFeed(path.join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: ErrorCodes.IO }),
    );
    expect(() => VulnDb.open(path.join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND }),
    );
  });
});

describe('scan of a namespace host with the bundled sample database', () => {
  const lab = new ScanLab();
  beforeAll(async () => {
    await lab.start(['ssh']);
    await lab.sshd(lab.host('ssh'));
  });
  afterAll(async () => {
    await lab.destroy();
  });

  it('reports the sample CVEs whose ranges hold the detected OpenSSH version', async () => {
    const { services, findings, database } = await scanVulnerabilitiesDetailed(lab.host('ssh').ip, {
      ports: '22',
      db: SAMPLE_DB_PATH,
    });
    expect(database).toBe(SAMPLE_DB_PATH);
    const ssh = services[0];
    expect(ssh.product).toBe('OpenSSH');
    // the oracle: the sample's ranges applied by hand to the detected version
    const expected = readFeed(SAMPLE_DB_PATH)
      .records.filter((r) =>
        r.criteria.some(
          (c) => c.cpe?.startsWith('cpe:2.3:a:openbsd:openssh:*') && inVersionRange(ssh.version, c),
        ),
      )
      .map((r) => r.id)
      .sort();
    expect(findings.map((f) => f.cve_id).sort()).toEqual(expected);
    for (const f of findings) {
      expect(f.port).toBe(22);
      expect(f.product).toBe('OpenSSH');
      expect(f.version).toBe(ssh.version);
      expect(f.description.length).toBeGreaterThan(20);
      expect(String(f)).toContain(f.cve_id);
    }
    const plain = await scanVulnerabilities(lab.host('ssh').ip, { ports: '22', db: SAMPLE_DB_PATH });
    expect(plain.map((f) => f.cve_id)).toEqual(findings.map((f) => f.cve_id));
  });

  it('Debian OSV records are judged with the revision the real sshd announces', async () => {
    const { services } = await scanVulnerabilitiesDetailed(lab.host('ssh').ip, {
      ports: '22',
      db: new VulnDb(),
    });
    const ssh = services[0];
    const rev = /^Debian-(\S+)$/.exec(ssh.extra)?.[1];
    expect(rev, 'the Debian build of OpenSSH announces its package revision').toBeTruthy();
    // the installed package's version, from dpkg, is the oracle for what the banner says
    const pkg = (await run(['dpkg-query', '-W', '-f', '$' + '{Version}', 'openssh-server'])).stdout;
    expect(`1:${ssh.version}-${rev}`).toBe(pkg);
    const record = (id: string, fixed: string) => ({
      id,
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: 'openssh' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        },
      ],
    });
    // fixed in the installed revision: not reported; fixed only in a later one: reported
    const db = new VulnDb(
      importOsvJson([record('DEBIAN-CVE-2099-0001', pkg), record('DEBIAN-CVE-2099-0002', `${pkg}.1`)])
        .records,
    );
    const found = await scanVulnerabilities(lab.host('ssh').ip, { services, db });
    expect(found.map((f) => f.cve_id)).toEqual(['DEBIAN-CVE-2099-0002']);
  });
});
