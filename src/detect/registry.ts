/**
 * The behavioural detectors by name, and the set the IDS attaches for a configuration. New
 * detectors register here; the spec's `ids_start` switches choose among them (config.ts).
 */
import type { PacketObserver } from '../ids/observer.js';
import { BruteForceDetector } from './bruteforce.js';
import {
  type DetectConfig,
  type DetectConfigInput,
  type DetectSwitches,
  resolveDetectConfig,
} from './config.js';
import { DosDetector } from './dos.js';
import { DetectorGroup } from './group.js';
import { PortScanDetector } from './portscan.js';
import { WebAttackDetector } from './webattack.js';

export interface DetectorFactory {
  /** Whether the configuration turns it on. */
  enabled(cfg: DetectConfig): boolean;
  create(cfg: DetectConfig): PacketObserver;
}

export const DETECTORS = {
  portscan: {
    enabled: (c: DetectConfig) => c.portscan.enabled,
    create: (c: DetectConfig) => new PortScanDetector(c),
  },
  dos: { enabled: (c: DetectConfig) => c.dos.enabled, create: (c: DetectConfig) => new DosDetector(c) },
  bruteforce: {
    enabled: (c: DetectConfig) => c.bruteforce.enabled,
    create: (c: DetectConfig) => new BruteForceDetector(c),
  },
  webattack: {
    enabled: (c: DetectConfig) => c.webattack.enabled,
    create: (c: DetectConfig) => new WebAttackDetector(c),
  },
} as const satisfies Record<string, DetectorFactory>;

/** Names of the registered detectors. */
export function detectorNames(): string[] {
  return Object.keys(DETECTORS);
}

/**
 * The detectors a configuration turns on (defaults filled in), as one observer ready to attach
 * to an engine (see group.ts for why one), or none when every detector is off.
 */
export function createDetectors(
  input: DetectConfigInput = {},
  switches: DetectSwitches = {},
): PacketObserver[] {
  const g = createDetectorGroup(resolveDetectConfig(input, switches));
  return g.members.length > 0 ? [g] : [];
}

/** The enabled detectors of a resolved configuration in one {@link DetectorGroup}. */
export function createDetectorGroup(cfg: DetectConfig): DetectorGroup {
  const D = DETECTORS;
  return new DetectorGroup({
    portscan: D.portscan.enabled(cfg) ? D.portscan.create(cfg) : undefined,
    dos: D.dos.enabled(cfg) ? D.dos.create(cfg) : undefined,
    bruteforce: D.bruteforce.enabled(cfg) ? D.bruteforce.create(cfg) : undefined,
    webattack: D.webattack.enabled(cfg) ? D.webattack.create(cfg) : undefined,
  });
}
