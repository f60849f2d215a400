/** Behavioural detectors, custom rules and the IDS instance behind `ids_*` (docs/detect.md). */
export { AlertStore, type IdsAlert } from './alert-store.js';
export { AUTH_SERVICES, type LoginAttempt, shortAuthSession } from './auth-events.js';
export { BRUTEFORCE_SIGNATURES, BruteForceDetector } from './bruteforce.js';
export {
  type BruteForceConfig,
  DEFAULT_DETECT_CONFIG,
  type DetectConfig,
  type DetectConfigInput,
  type DetectSwitches,
  type DosConfig,
  type PortScanConfig,
  resolveDetectConfig,
  type WebAttackConfig,
} from './config.js';
export {
  CUSTOM_SID_BASE,
  type CustomRule,
  type CustomRuleAction,
  type CustomRuleInput,
  CustomRuleSet,
  compileCustomRule,
} from './custom-rules.js';
export { DOS_SIGNATURES, DosDetector } from './dos.js';
export { DetectorGroup } from './group.js';
export {
  type AddedRule,
  IdsInstance,
  type IdsInstanceOptions,
  type IdsStatus,
  isSuricataRule,
} from './ids-instance.js';
export { type CompiledPattern, compilePattern } from './pattern/compile.js';
export { EventKind, FIELDS, type MatchContext } from './pattern/fields.js';
export { type ParsedPattern, parsePattern } from './pattern/parser.js';
export { PORTSCAN_SIGNATURES, PortScanDetector } from './portscan.js';
export { createDetectorGroup, createDetectors, DETECTORS, detectorNames } from './registry.js';
export { normalizeForInspection, WEB_PATTERNS } from './web-patterns.js';
export { WEBATTACK_SIGNATURES, WebAttackDetector } from './webattack.js';
