/**
 * `flow:established` follows Suricata's flow state: a response acked by the client's FIN (TCP
 * FIN_WAIT1) and the flow-end inspection are still on an established flow, so a
 * `flow:established,to_client; http.stat_code` rule fires once per response tshark sees.
 * (A user reported such rules never firing on captures where the client closes first.)
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRulesFromString } from '../../../src/ids/rules/loader.js';
import { corpusPath } from '../../helpers/corpus.js';

function tsharkCount(pcap: string, filter: string): number {
  const out = execFileSync('tshark', ['-r', pcap, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean).length;
}

const RULES = [
  'alert http any any -> any any (msg:"est"; flow:established,to_client; http.stat_code; content:"200"; sid:1;)',
  'alert http any any -> any any (msg:"to_client"; flow:to_client; http.stat_code; content:"200"; sid:2;)',
].join('\n');

describe('flow:established with response buffers', () => {
  // 000: the response is read on the client's FIN; 412: its head only ends at flow end
  for (const name of ['http-evader-000', 'http-evader-412']) {
    it(`fires once per 200 response tshark sees (${name})`, async () => {
      const pcap = corpusPath('suricata-verify', 'tests', 'http-evader', name, 'input.pcap');
      const { ruleSet, issues } = loadRulesFromString(RULES);
      expect(issues).toEqual([]);
      const sink = new MemorySink();
      await runIdsOnCapture(pcap, { ruleSet, sinks: [sink] });
      const sids = sink.records
        .filter((r) => r.event_type === 'alert')
        .map((r) => (r.alert as { signature_id: number }).signature_id);
      const want = tsharkCount(pcap, 'http.response.code == 200');
      expect(want).toBe(1);
      expect(sids.filter((s) => s === 1).length).toBe(want);
      expect(sids.filter((s) => s === 2).length).toBe(want);
    });
  }
});
