/**
 * Matches detected services against vulnerability records: by CPE (vendor, product, version
 * and update, with NVD's version bounds) for NVD records, by package name for OSV records.
 * Vendors renamed over the years are treated as one (`nginx:nginx` and `f5:nginx`).
 */
import { type Cpe, parseCpe } from '../cpe.js';
import type { ServiceInfo, VulnerabilityFinding } from '../types.js';
import { withSummary } from '../types.js';
import type { VulnCriterion, VulnRecord } from './model.js';
import type { VulnDb } from './store.js';
import { compareVersions, describeRange, inVersionRange } from './version.js';

/** Vendor names that NVD has used for the same product. */
const VENDOR_ALIASES: Record<string, string[]> = {
  'f5:nginx': ['nginx'],
  'nginx:nginx': ['f5'],
  'redis:redis': ['redislabs'],
  'redislabs:redis': ['redis'],
  'vsftpd_project:vsftpd': ['beasts'],
  'beasts:vsftpd': ['vsftpd_project'],
};

/** OSV package names by CPE product, where they differ. */
const PACKAGE_NAMES: Record<string, string[]> = {
  http_server: ['apache2', 'httpd'],
  dnsmasq: ['dnsmasq'],
  openssh: ['openssh', 'openssh-server', 'openssh-portable'],
  bind: ['bind9', 'bind'],
  mysql: ['mysql', 'mysql-server'],
  postgresql: ['postgresql'],
};

function vendorMatches(want: string, cpe: Cpe): boolean {
  if (want === '*' || want === cpe.vendor) return true;
  return (VENDOR_ALIASES[`${cpe.vendor}:${cpe.product}`] ?? []).includes(want);
}

/** The version to compare: CPE version plus an OpenSSH-style update (`9.2` + `p1` → `9.2p1`). */
function fullVersion(c: Cpe): string {
  if (c.update !== '*' && c.update !== '-' && /^p\d+$/.test(c.update)) return c.version + c.update;
  return c.version;
}

function attrMatches(want: string, have: string): boolean {
  // ANY in the criterion matches everything; an attribute the scan could not learn does not exclude
  return want === '*' || have === '*' || want === have;
}

/** Whether one NVD-style criterion matches a service CPE; returns a reason or null. */
export function criterionMatchesCpe(cr: VulnCriterion, serviceCpe: Cpe): string | null {
  if (!cr.cpe) return null;
  let want: Cpe;
  try {
    want = parseCpe(cr.cpe);
  } catch {
    return null;
  }
  if (want.part !== '*' && want.part !== serviceCpe.part) return null;
  if (want.product !== serviceCpe.product || !vendorMatches(want.vendor, serviceCpe)) return null;
  for (const f of ['edition', 'language', 'sw_edition', 'target_sw', 'target_hw', 'other'] as const) {
    if (!attrMatches(want[f], serviceCpe[f])) return null;
  }
  const have = fullVersion(serviceCpe);
  if (want.version !== '*' && want.version !== '-') {
    // a CPE naming one version: that version (and update, when the criterion names one)
    if (have === '*' || compareVersions(want.version, serviceCpe.version) !== 0) return null;
    if (
      want.update !== '*' &&
      want.update !== serviceCpe.update &&
      !(want.update === '-' && serviceCpe.update === '*')
    ) {
      return null;
    }
    return `${cr.cpe}`;
  }
  const hasRange =
    cr.versionStartIncluding !== undefined ||
    cr.versionStartExcluding !== undefined ||
    cr.versionEndIncluding !== undefined ||
    cr.versionEndExcluding !== undefined;
  if (!hasRange) return `${cr.cpe} (all versions)`;
  // a range needs a version: an unversioned detection is not reported against ranges
  if (have === '*' || have === '') return null;
  return inVersionRange(have, cr) ? `${cr.cpe} ${describeRange(cr)}` : null;
}

/** Whether an OSV package criterion matches a detected product and version. */
export function criterionMatchesPackage(cr: VulnCriterion, serviceCpe: Cpe, extra: string): string | null {
  if (!cr.package) return null;
  const name = cr.package.name.toLowerCase();
  const names = PACKAGE_NAMES[serviceCpe.product] ?? [serviceCpe.product];
  if (!names.includes(name)) return null;
  let have = fullVersion(serviceCpe);
  if (have === '*' || have === '') return null;
  // Debian builds announce their package revision (OpenSSH: "Debian-2+deb12u10"): compare
  // against Debian's fixed versions with it, so that backported fixes count
  const deb = /^Debian-(\S+)/.exec(extra);
  let range: VulnCriterion = cr;
  if (cr.package.ecosystem.startsWith('Debian')) {
    if (!deb) return null;
    have = `${have}-${deb[1]}`;
    // the banner does not carry the epoch; it does not change within a release, so drop it
    const strip = (v: string | undefined) => (v === undefined ? undefined : v.replace(/^\d+:/, ''));
    range = {
      ...cr,
      versionStartIncluding: strip(cr.versionStartIncluding),
      versionStartExcluding: strip(cr.versionStartExcluding),
      versionEndIncluding: strip(cr.versionEndIncluding),
      versionEndExcluding: strip(cr.versionEndExcluding),
      versions: cr.versions?.map((v) => v.replace(/^\d+:/, '')),
    };
  }
  if (range.versions) {
    return range.versions.some((v) => compareVersions(v, have) === 0)
      ? `${cr.package.ecosystem}/${cr.package.name} ${have} listed`
      : null;
  }
  return inVersionRange(have, range)
    ? `${cr.package.ecosystem}/${cr.package.name} ${describeRange(cr)}`
    : null;
}

/** Why `record` applies to a service with this CPE, or null. */
export function recordMatches(record: VulnRecord, cpe: Cpe, extra = ''): string | null {
  for (const cr of record.criteria) {
    const why = cr.cpe ? criterionMatchesCpe(cr, cpe) : criterionMatchesPackage(cr, cpe, extra);
    if (why) return why;
  }
  return null;
}

const SEVERITY_RANK: Record<string, number> = {
  CRITICAL: 5,
  HIGH: 4,
  MEDIUM: 3,
  LOW: 2,
  NONE: 1,
  UNKNOWN: 0,
};

/** Findings for detected services (those with a CPE), most severe first. */
export function matchServices(services: ServiceInfo[], db: VulnDb): VulnerabilityFinding[] {
  const out: VulnerabilityFinding[] = [];
  for (const s of services) {
    if (!s.cpe) continue;
    let cpe: Cpe;
    try {
      cpe = parseCpe(s.cpe);
    } catch {
      continue;
    }
    const seen = new Set<string>();
    const names = PACKAGE_NAMES[cpe.product] ?? [cpe.product];
    const candidates = new Set([...db.forProduct(cpe.product), ...names.flatMap((n) => db.forProduct(n))]);
    for (const r of candidates) {
      if (seen.has(r.id)) continue;
      const why = recordMatches(r, cpe, s.extra);
      if (!why) continue;
      seen.add(r.id);
      const f: VulnerabilityFinding = {
        cve_id: r.id,
        severity: r.severity,
        cvss: r.cvss,
        cvss_version: r.cvss_version,
        description: r.description,
        port: s.port,
        product: s.product,
        version: s.version,
        cpe: s.cpe,
        matched: why,
        summary:
          `[${r.severity}] ${r.id}${r.cvss !== null ? ` (CVSS ${r.cvss})` : ''} on ${s.port}/${s.protocol} ${s.product} ${s.version}`.trim(),
      };
      out.push(withSummary(f));
    }
  }
  out.sort(
    (a, b) =>
      (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0) ||
      (b.cvss ?? 0) - (a.cvss ?? 0) ||
      a.port - b.port,
  );
  return out;
}
