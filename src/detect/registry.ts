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
import { PortScanDetector } from './portscan.js';
import { WebAttackDetector } from './webattack.js';

export interface DetectorFactory {
  /** Whether the configuration turns it on. */
  enabled(cfg: DetectConfig): boolean;
  create(cfg: DetectConfig): PacketObserver;
}

export const DETECTORS: Readonly<Record<string, DetectorFactory>> = {
  portscan: { enabled: (c) => c.portscan.enabled, create: (c) => new PortScanDetector(c) },
  dos: { enabled: (c) => c.dos.enabled, create: (c) => new DosDetector(c) },
  bruteforce: { enabled: (c) => c.bruteforce.enabled, create: (c) => new BruteForceDetector(c) },
  webattack: { enabled: (c) => c.webattack.enabled, create: (c) => new WebAttackDetector(c) },
};

/** Names of the registered detectors. */
export function detectorNames(): string[] {
  return Object.keys(DETECTORS);
}

/** The detectors a configuration turns on (defaults filled in), ready to attach to an engine. */
export function createDetectors(
  input: DetectConfigInput = {},
  switches: DetectSwitches = {},
): PacketObserver[] {
  const cfg = resolveDetectConfig(input, switches);
  const out: PacketObserver[] = [];
  for (const f of Object.values(DETECTORS)) if (f.enabled(cfg)) out.push(f.create(cfg));
  return out;
}
