/**
 * Raw stream inspection across holes: content never matches across a hole, and stream alerts
 * log the inspected window with Suricata's "[N bytes missing]" marker. The expected payloads
 * are the ones suricata-verify's eve-overlap-payload-05-gap and eve-payload-06 test.yaml files
 * give for their captures (Suricata's output).
 */
import { describe, expect, it } from 'vitest';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRulesFromString } from '../../../src/ids/rules/loader.js';
import { corpusPath } from '../../helpers/corpus.js';

interface Rec {
  event_type: string;
  alert?: { signature_id: number };
  payload_printable?: string;
  stream?: number;
}

async function alerts(rel: string, rules: string): Promise<Rec[]> {
  const sink = new MemorySink();
  await runIdsOnCapture(corpusPath('suricata-verify', 'tests', rel), {
    ruleSet: loadRulesFromString(rules).ruleSet,
    sinks: [sink],
    config: { eve: { payload: true } },
  });
  return (sink.records as unknown as Rec[]).filter((r) => r.event_type === 'alert');
}

const RULES = [
  'alert tcp-stream any any -> any any (content:"VERY"; sid:1;)',
  'alert tcp-stream any any -> any any (content:"DATA"; sid:3;)',
  'alert tcp-stream any any -> any any (content:"VERYDATA"; sid:8;)',
  'alert tcp-stream any any -> any any (content:"GOODDATA"; sid:9;)',
].join('\n');

describe('raw stream detection with holes', () => {
  it('a hole in the middle: both sides match, not across it; the payload shows the hole', async () => {
    const a = await alerts('eve-overlap-payload-05-gap/tcp-simple-gap2.pcap', RULES);
    const sids = a.map((r) => r.alert?.signature_id).sort();
    expect(sids).toEqual([1, 3]);
    for (const r of a) {
      expect(r.stream).toBe(1);
      expect(r.payload_printable).toBe('VERY[4 bytes missing]DATA');
    }
  });

  it('a leading hole: the payload starts with the marker', async () => {
    const a = await alerts('eve-payload-06-tcp-data-leading-gap/tcp-leading-gap.pcap', RULES);
    const nine = a.filter((r) => r.alert?.signature_id === 9);
    expect(nine).toHaveLength(1);
    expect(nine[0].payload_printable).toBe('[4 bytes missing]GOODDATA');
    expect(a.some((r) => r.alert?.signature_id === 1)).toBe(false);
  });
});
