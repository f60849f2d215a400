/**
 * Importer for OSV records (the Open Source Vulnerability schema, ossf.github.io/osv-schema):
 * a single record, an array of records, or `{ vulns: [...] }` as the OSV API returns.
 *
 * `affected[].ranges` of type SEMVER or ECOSYSTEM are event lists; each `introduced` opens an
 * interval that the next `fixed` (excluded) or `last_affected` (included) closes, and an
 * `introduced` of "0" means "from the first version". GIT ranges name commits, which a
 * network scan never sees, so they are skipped; `affected[].versions` are kept as exact versions.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { cvss3BaseScore, severityOf } from './cvss.js';
import type { VulnCriterion, VulnRecord } from './model.js';

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}
interface OsvAffected {
  package?: { ecosystem?: string; name?: string };
  ranges?: { type?: string; events?: OsvEvent[] }[];
  versions?: string[];
  severity?: { type?: string; score?: string }[];
  database_specific?: { severity?: string };
}
interface OsvRecord {
  id?: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  withdrawn?: string;
  severity?: { type?: string; score?: string }[];
  affected?: OsvAffected[];
  database_specific?: { severity?: string };
}

/** Turns one range's events into intervals. */
export function osvEventsToIntervals(events: OsvEvent[]): VulnCriterion[] {
  const out: VulnCriterion[] = [];
  let open: string | null = null;
  for (const e of events) {
    if (typeof e.introduced === 'string') {
      if (open !== null) out.push(open === '0' ? {} : { versionStartIncluding: open });
      open = e.introduced;
    } else if (typeof e.fixed === 'string' && open !== null) {
      out.push({ ...(open === '0' ? {} : { versionStartIncluding: open }), versionEndExcluding: e.fixed });
      open = null;
    } else if (typeof e.last_affected === 'string' && open !== null) {
      out.push({
        ...(open === '0' ? {} : { versionStartIncluding: open }),
        versionEndIncluding: e.last_affected,
      });
      open = null;
    } else if (typeof e.limit === 'string' && open !== null) {
      out.push({ ...(open === '0' ? {} : { versionStartIncluding: open }), versionEndExcluding: e.limit });
      open = null;
    }
  }
  // introduced without an end: every later version is affected
  if (open !== null) out.push(open === '0' ? {} : { versionStartIncluding: open });
  return out;
}

function osvSeverity(r: OsvRecord): {
  score: number | null;
  severity: string;
  version: string;
  vector: string;
} {
  const all = [...(r.severity ?? []), ...(r.affected ?? []).flatMap((a) => a.severity ?? [])];
  for (const s of all) {
    if ((s.type === 'CVSS_V3' || s.type === 'CVSS_V31') && typeof s.score === 'string') {
      const score = cvss3BaseScore(s.score);
      if (score !== null)
        return { score, severity: severityOf(score), version: s.score.slice(5, 8), vector: s.score };
    }
  }
  const named =
    r.database_specific?.severity ??
    (r.affected ?? []).map((a) => a.database_specific?.severity).find(Boolean);
  const sev = typeof named === 'string' ? named.toUpperCase().replace('MODERATE', 'MEDIUM') : 'UNKNOWN';
  const v4 = all.find((s) => s.type === 'CVSS_V4');
  return { score: null, severity: sev, version: v4 ? '4.0' : '', vector: v4?.score ?? '' };
}

/** Converts one OSV record; null when withdrawn or malformed. */
export function osvToRecord(r: OsvRecord): VulnRecord | null {
  if (!r || typeof r.id !== 'string' || r.withdrawn) return null;
  const criteria: VulnCriterion[] = [];
  for (const a of r.affected ?? []) {
    const eco = a.package?.ecosystem;
    const name = a.package?.name;
    if (typeof eco !== 'string' || typeof name !== 'string') continue;
    const pkg = { ecosystem: eco, name };
    for (const range of a.ranges ?? []) {
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
      for (const iv of osvEventsToIntervals(range.events ?? [])) criteria.push({ package: pkg, ...iv });
    }
    if (Array.isArray(a.versions) && a.versions.length > 0)
      criteria.push({ package: pkg, versions: [...a.versions] });
  }
  const cve = r.id.startsWith('CVE-') ? r.id : (r.aliases ?? []).find((x) => x.startsWith('CVE-'));
  const sev = osvSeverity(r);
  return {
    id: cve ?? r.id,
    aliases: [...new Set([r.id, ...(r.aliases ?? [])].filter((x) => x !== (cve ?? r.id)))],
    description: r.summary || r.details || '',
    severity: sev.severity,
    cvss: sev.score,
    cvss_version: sev.version,
    cvss_vector: sev.vector,
    published: r.published ?? '',
    modified: r.modified ?? '',
    source: 'osv',
    criteria,
  };
}

/** Reads OSV JSON: one record, an array, or `{ vulns: [...] }`. */
export function importOsvJson(doc: unknown): { records: VulnRecord[]; skipped: number } {
  let list: unknown[];
  if (Array.isArray(doc)) list = doc;
  else if (doc && typeof doc === 'object' && Array.isArray((doc as { vulns?: unknown[] }).vulns))
    list = (doc as { vulns: unknown[] }).vulns;
  else if (doc && typeof doc === 'object' && typeof (doc as OsvRecord).id === 'string') list = [doc];
  else
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'not OSV JSON: expected a record with "id", an array, or {"vulns": [...]}',
    );
  const records: VulnRecord[] = [];
  let skipped = 0;
  for (const r of list) {
    const rec = osvToRecord(r as OsvRecord);
    if (rec) records.push(rec);
    else skipped++;
  }
  return { records, skipped };
}
