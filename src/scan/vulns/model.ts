/**
 * Sentra's vulnerability records: one shape for what the NVD and OSV importers produce and
 * what the matcher reads. A record is vulnerable for a service when any of its criteria
 * matches the service's CPE (or package name) and version.
 */
import type { VersionRange } from './version.js';

export interface VulnCriterion extends VersionRange {
  /** CPE 2.3 match string (`cpe:2.3:a:openbsd:openssh:*:...`), for NVD records. */
  cpe?: string;
  /** Package (ecosystem + name), for OSV records. */
  package?: { ecosystem: string; name: string };
  /** Exact affected versions (OSV `versions`), instead of or besides a range. */
  versions?: string[];
}

export interface VulnRecord {
  /** CVE id, or the OSV id when the record has no CVE alias. */
  id: string;
  /** Other ids of the same vulnerability (GHSA-..., DSA-..., OSV ids, CVE ids). */
  aliases: string[];
  description: string;
  /** CRITICAL, HIGH, MEDIUM, LOW, NONE or UNKNOWN. */
  severity: string;
  cvss: number | null;
  cvss_version: string;
  cvss_vector: string;
  published: string;
  modified: string;
  source: 'nvd' | 'osv';
  criteria: VulnCriterion[];
}

/** The on-disk database: a JSON document. */
export interface VulnDbFile {
  format: 'sentra-vulndb';
  version: 1;
  updated: string;
  records: VulnRecord[];
}
