/**
 * The scanner: port scans (TCP connect, UDP), host discovery, service and version detection,
 * OS fingerprinting and vulnerability lookup. The five spec functions are `scanPorts`,
 * `scanNetwork`, `scanServiceVersion`, `scanOsFingerprint` and `scanVulnerabilities`.
 */
export { type Cpe, formatCpe, parseCpe, productCpe } from './cpe.js';
export {
  DEFAULT_MAX_HOSTS,
  DISCOVERY_PORTS,
  hostAddresses,
  type ScanNetworkOptions,
  scanNetwork,
} from './discovery/network.js';
export {
  classifySynAck,
  classifyTtlOnly,
  initialTtl,
  OS_SIGNATURES,
  type OsSignature,
} from './os/classify.js';
export {
  type OsFingerprintOptions,
  registerSynAckSource,
  type SynAckSource,
  scanOsFingerprint,
} from './os/fingerprint.js';
export { synAckFromFrame, synAckFromIp, synAckFromPcap, synAcksFromPcap } from './os/synack.js';
export { DEFAULT_UDP_PORTS, TOP100_TCP, TOP1000_TCP } from './ports/port-lists.js';
export { parsePortSpec, serviceNameForPort } from './ports/port-spec.js';
export { RttEstimator } from './ports/rtt.js';
export { type ScanPortsOptions, scanPorts } from './ports/scan.js';
export {
  getPortScanStrategy,
  listPortScanStrategies,
  type PortScanJob,
  type PortScanStrategy,
  registerPortScanStrategy,
} from './ports/strategy.js';
export { type ServiceDetectOptions, scanServiceVersion } from './services/detect.js';
export { matchAnswer } from './services/match.js';
export { type ServiceSignature, SIGNATURES } from './services/signatures.js';
export * from './types.js';
export { cvss3BaseScore, severityOf } from './vulns/cvss.js';
export { criterionMatchesCpe, matchServices, recordMatches } from './vulns/match.js';
export type { VulnCriterion, VulnDbFile, VulnRecord } from './vulns/model.js';
export { importNvdJson, nvdCveToRecord } from './vulns/nvd.js';
export { importOsvJson, osvEventsToIntervals, osvToRecord } from './vulns/osv.js';
export { scanVulnerabilities, scanVulnerabilitiesDetailed, type VulnScanOptions } from './vulns/scan.js';
export { defaultDbPath, importIntoDb, readFeed, SAMPLE_DB_PATH, VulnDb } from './vulns/store.js';
export { compareVersions, inVersionRange, type VersionRange } from './vulns/version.js';
