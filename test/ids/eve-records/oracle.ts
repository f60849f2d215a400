/** Shared helpers of the EVE record tests: run the engine over a capture, read tshark's fields. */
import { execFileSync } from 'node:child_process';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import type { IdsEngineConfig } from '../../../src/ids/engine/types.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRulesFromString } from '../../../src/ids/rules/loader.js';

// biome-ignore lint/suspicious/noExplicitAny: EVE records are free-form JSON, read by dotted paths
export type Rec = Record<string, any>;

/** Every EVE record of the engine over `pcap` with `rules` and these EVE types. */
export async function eveOf(
  pcap: string,
  eve: IdsEngineConfig['eve'],
  rules = '',
  ips = false,
): Promise<Rec[]> {
  const { ruleSet, issues } = loadRulesFromString(rules);
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  const sink = new MemorySink();
  await runIdsOnCapture(pcap, { ruleSet, ips, sinks: [sink], config: { eve } });
  return sink.records as Rec[];
}

/** tshark's fields per packet matching `filter`: one array of values (split on ',') per field. */
export function tsharkFields(
  pcap: string,
  filter: string,
  fields: string[],
  extra: string[] = [],
): string[][][] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      pcap,
      ...extra,
      '-Y',
      filter,
      '-T',
      'fields',
      '-E',
      'separator=\t',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t').map((v) => (v === '' ? [] : v.split(','))));
}
