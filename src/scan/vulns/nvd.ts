/**
 * Importer for NVD CVE JSON 2.0 (the CVE API 2.0 response and the yearly/modified feed files
 * share the shape `{ format: "NVD_CVE", version: "2.0", vulnerabilities: [{ cve }] }`).
 *
 * Configurations: every `cpeMatch` with `vulnerable: true` becomes a criterion with its
 * version bounds. Entries with `vulnerable: false` only describe the platform the product
 * runs on ("OpenSSH running on ..."): a network scan cannot check them, so they are left out
 * and the vulnerable product alone decides. Negated nodes are skipped for the same reason.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import { severityOf } from './cvss.js';
import type { VulnCriterion, VulnRecord } from './model.js';

interface NvdCvssEntry {
  type?: string;
  cvssData?: { version?: string; baseScore?: number; baseSeverity?: string; vectorString?: string };
  baseSeverity?: string;
}
interface NvdCpeMatch {
  vulnerable?: boolean;
  criteria?: string;
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
}
interface NvdNode {
  operator?: string;
  negate?: boolean;
  cpeMatch?: NvdCpeMatch[];
}
interface NvdCve {
  id?: string;
  published?: string;
  lastModified?: string;
  vulnStatus?: string;
  descriptions?: { lang?: string; value?: string }[];
  metrics?: Record<string, NvdCvssEntry[] | undefined>;
  configurations?: { nodes?: NvdNode[] }[];
}

const METRIC_ORDER = ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'];

function pickMetric(metrics: NvdCve['metrics']): {
  score: number | null;
  severity: string;
  version: string;
  vector: string;
} {
  for (const key of METRIC_ORDER) {
    const list = metrics?.[key];
    if (!Array.isArray(list) || list.length === 0) continue;
    // NVD's own assessment ("Primary") before a CNA's ("Secondary")
    const m = list.find((e) => e.type === 'Primary') ?? list[0];
    const score = typeof m.cvssData?.baseScore === 'number' ? m.cvssData.baseScore : null;
    const severity = (m.cvssData?.baseSeverity ?? m.baseSeverity ?? severityOf(score)).toUpperCase();
    return { score, severity, version: m.cvssData?.version ?? '', vector: m.cvssData?.vectorString ?? '' };
  }
  return { score: null, severity: 'UNKNOWN', version: '', vector: '' };
}

/** Converts one NVD `cve` object; null for rejected records or records without an id. */
export function nvdCveToRecord(cve: NvdCve): VulnRecord | null {
  if (!cve || typeof cve.id !== 'string' || !/^CVE-\d{4}-\d{4,}$/.test(cve.id)) return null;
  if (cve.vulnStatus === 'Rejected') return null;
  const criteria: VulnCriterion[] = [];
  for (const conf of cve.configurations ?? []) {
    for (const node of conf.nodes ?? []) {
      if (node.negate) continue;
      for (const m of node.cpeMatch ?? []) {
        if (m.vulnerable !== true || typeof m.criteria !== 'string' || !m.criteria.startsWith('cpe:2.3:'))
          continue;
        const c: VulnCriterion = { cpe: m.criteria };
        for (const k of [
          'versionStartIncluding',
          'versionStartExcluding',
          'versionEndIncluding',
          'versionEndExcluding',
        ] as const) {
          if (typeof m[k] === 'string') c[k] = m[k];
        }
        criteria.push(c);
      }
    }
  }
  const metric = pickMetric(cve.metrics);
  const description =
    cve.descriptions?.find((d) => d.lang === 'en')?.value ?? cve.descriptions?.[0]?.value ?? '';
  return {
    id: cve.id,
    aliases: [],
    description,
    severity: metric.severity,
    cvss: metric.score,
    cvss_version: metric.version,
    cvss_vector: metric.vector,
    published: cve.published ?? '',
    modified: cve.lastModified ?? '',
    source: 'nvd',
    criteria,
  };
}

/** Reads an NVD CVE JSON 2.0 document; throws SENTRA_ERR_INVALID_ARGUMENT when it is not one. */
export function importNvdJson(doc: unknown): { records: VulnRecord[]; skipped: number } {
  const d = doc as { format?: string; version?: string; vulnerabilities?: { cve?: NvdCve }[] };
  if (!d || typeof d !== 'object' || !Array.isArray(d.vulnerabilities)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'not an NVD CVE JSON 2.0 document: no "vulnerabilities" array',
    );
  }
  if (d.format !== undefined && d.format !== 'NVD_CVE') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `not an NVD CVE document: format is ${JSON.stringify(d.format)}`,
    );
  }
  const records: VulnRecord[] = [];
  let skipped = 0;
  for (const v of d.vulnerabilities) {
    const r = v?.cve ? nvdCveToRecord(v.cve) : null;
    if (r) records.push(r);
    else skipped++;
  }
  return { records, skipped };
}
