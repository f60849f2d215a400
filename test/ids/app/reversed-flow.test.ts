/**
 * A flow picked up midstream whose first data is an HTTP status line from the side taken as
 * the client: Suricata reverses the flow for the app layer, so the response is parsed as one
 * (suricata-verify bug-7552-01 expects the http.stat_code alert on such a capture).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRulesFromString } from '../../../src/ids/rules/loader.js';
import { corpusPath } from '../../helpers/corpus.js';

const DIR = corpusPath('suricata-verify', 'tests', 'bug-7552', 'bug-7552-01');
const PCAP = `${DIR}/${readdirSync(DIR).find((f) => f.endsWith('.pcap'))}`;

interface Rec {
  event_type: string;
  http?: { status?: number; protocol?: string; http_method?: string };
}

async function run(midstream: boolean): Promise<Rec[]> {
  const sink = new MemorySink();
  await runIdsOnCapture(PCAP, {
    ruleSet: loadRulesFromString('alert http any any -> any any (http.stat_code; content:"200"; sid:1;)')
      .ruleSet,
    sinks: [sink],
    config: { stream: { midstream }, eve: { http: true } },
  });
  return sink.records as unknown as Rec[];
}

describe('app layer of a flow picked up at the server side', () => {
  it('midstream: the status line is a response (status 200, the stat_code rule fires)', async () => {
    const recs = await run(true);
    expect(recs.filter((r) => r.event_type === 'alert')).toHaveLength(1);
    const http = recs.filter((r) => r.event_type === 'http');
    expect(http).toHaveLength(1);
    expect(http[0].http?.status).toBe(200);
    expect(http[0].http?.http_method).toBeUndefined();
  });

  it('midstream off: the session is not tracked, no HTTP', async () => {
    const recs = await run(false);
    expect(recs.filter((r) => r.event_type === 'http')).toHaveLength(0);
  });
});
