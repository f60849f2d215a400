/**
 * A flow passed by a pass rule is not inspected any more, but its HTTP is still parsed and
 * logged (Suricata 7+; suricata-verify ips-state-1 expects the http records of passed flows
 * and flow.action "pass" without alerts).
 */
import { describe, expect, it } from 'vitest';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRulesFromString } from '../../../src/ids/rules/loader.js';
import { corpusPath } from '../../helpers/corpus.js';

// one HTTP connection: GET / and a 200 response (tshark: 10 packets, 1 transaction)
const PCAP = corpusPath('suricata-verify', 'tests', 'flowbit-oring', 'input.pcap');

interface Rec {
  event_type: string;
  app_proto?: string;
  http: { http_method?: string; status?: number };
  flow: { action?: string };
}

async function run(rules: string) {
  const sink = new MemorySink();
  const { ruleSet } = loadRulesFromString(rules);
  await runIdsOnCapture(PCAP, {
    ruleSet,
    sinks: [sink],
    config: { eve: { flow: true, http: true } },
  });
  return sink.records as unknown as Rec[];
}

describe('passed flows', () => {
  it('a pass rule on the SYN: no alert, but the http record and flow.action pass', async () => {
    const recs = await run(
      'pass tcp any any -> any 80 (sid:1;)\nalert http any any -> any any (http.method; content:"GET"; sid:2;)',
    );
    expect(recs.filter((r) => r.event_type === 'alert')).toHaveLength(0);
    const http = recs.filter((r) => r.event_type === 'http');
    expect(http).toHaveLength(1);
    expect(http[0].http.http_method).toBe('GET');
    expect(http[0].http.status).toBe(200);
    const flow = recs.find((r) => r.event_type === 'flow');
    expect(flow?.app_proto).toBe('http');
    expect(flow?.flow.action).toBe('pass');
  });

  it('without the pass rule the same traffic alerts', async () => {
    const recs = await run('alert http any any -> any any (http.method; content:"GET"; sid:2;)');
    expect(recs.filter((r) => r.event_type === 'alert')).toHaveLength(1);
  });
});
