/**
 * The engine over the lab capture, against tshark as the oracle: transaction rules fire once
 * per HTTP request / DNS query that tshark sees, observers see every packet, flow and HTTP
 * request, IPS drop rules drop exactly the packets of the matched flows, and rules can be
 * added and removed while running.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { IdsEngine } from '../../../src/ids/engine/engine.js';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import { Verdict } from '../../../src/ids/engine/types.js';
import type { PacketObserver } from '../../../src/ids/observer.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRuleSources, loadRulesFromString } from '../../../src/ids/rules/loader.js';
import { readCapture } from '../../../src/packet/file/reader.js';
import { corpusPath } from '../../helpers/corpus.js';

const LAB = corpusPath('lab', 'lab-basic.pcap');

/** Packets tshark's display filter selects in the lab capture. */
function tsharkCount(filter: string): number {
  const out = execFileSync('tshark', ['-r', LAB, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split('\n').filter(Boolean).length;
}

function alertsBySid(records: Record<string, unknown>[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of records) {
    if (r.event_type !== 'alert') continue;
    const sid = (r.alert as { signature_id: number }).signature_id;
    m.set(sid, (m.get(sid) ?? 0) + 1);
  }
  return m;
}

describe('IdsEngine on lab-basic', () => {
  it('transaction rules fire once per HTTP request and DNS query tshark sees', async () => {
    const rules = [
      'alert http any any -> any any (msg:"any request"; http.method; content:"G"; startswith; sid:1;)',
      'alert http any any -> any any (msg:"nmap ua"; http.user_agent; content:"Nmap"; sid:2;)',
      'alert dns any any -> any any (msg:"lab query"; dns.query; content:".lab.test"; endswith; sid:3;)',
      'alert http any any -> any any (msg:"ok response"; flow:to_client; http.stat_code; content:"200"; sid:4;)',
      // a response read when the client's FIN acks it is still on an established flow (Suricata
      // counts FIN_WAIT/CLOSE_WAIT as established), and so is the flow-end inspection
      'alert http any any -> any any (msg:"ok, established"; flow:established,to_client; http.stat_code; content:"200"; sid:5;)',
    ].join('\n');
    const { ruleSet, issues } = loadRulesFromString(rules);
    expect(issues).toEqual([]);
    const sink = new MemorySink();
    const r = await runIdsOnCapture(LAB, { ruleSet, sinks: [sink] });
    const by = alertsBySid(sink.records);
    expect(by.get(1)).toBe(tsharkCount('http.request.method == "GET"'));
    expect(by.get(2)).toBe(tsharkCount('http.request && http.user_agent contains "Nmap"'));
    expect(by.get(3)).toBe(
      tsharkCount('dns.flags.response == 0 && dns.qry.name matches "\\\\.lab\\\\.test$"'),
    );
    expect(by.get(4)).toBe(tsharkCount('http.response.code == 200'));
    expect(by.get(5)).toBe(tsharkCount('http.response.code == 200'));
    expect(r.stats.packets).toBe(tsharkCount('frame'));
    // the alert records carry the transaction and the flow
    const a = sink.records.find(
      (x) => x.event_type === 'alert' && (x.alert as { signature_id: number }).signature_id === 2,
    )!;
    expect(a).toMatchObject({
      app_proto: 'http',
      proto: 'TCP',
      direction: 'to_server',
      tx_id: expect.any(Number),
    });
    expect((a.http as { http_user_agent?: string }).http_user_agent).toContain('Nmap');
    expect((a.flow as { pkts_toserver: number }).pkts_toserver).toBeGreaterThan(0);
  });

  it('observers see every packet, every flow end and every HTTP request', async () => {
    const seen = { packets: 0, flows: 0, requests: 0, responses: 0, ticks: 0, finished: 0 };
    const obs: PacketObserver = {
      name: 'counter',
      attach(ctx) {
        // one detector alert through the engine's outputs
        ctx.emit({
          signatureId: 9_000_001,
          signature: 'observer test',
          category: 'test',
          severity: 'low',
          timeUs: 1_700_000_000_000_000,
          src: '10.0.0.1',
          dst: '10.0.0.2',
          ipProto: 6,
          srcPort: 1,
          dstPort: 2,
        });
      },
      onPacket: () => void seen.packets++,
      onFlowEnd: () => void seen.flows++,
      onHttpRequest: () => void seen.requests++,
      onHttpResponse: () => void seen.responses++,
      tick: () => void seen.ticks++,
      finish: () => void seen.finished++,
    };
    const sink = new MemorySink();
    const r = await runIdsOnCapture(LAB, {
      ruleSet: loadRulesFromString('').ruleSet,
      sinks: [sink],
      observers: [obs],
    });
    expect(seen.packets).toBe(tsharkCount('frame'));
    expect(seen.flows).toBe(r.stats.flows);
    expect(seen.requests).toBe(tsharkCount('http.request'));
    expect(seen.responses).toBe(tsharkCount('http.response'));
    expect(seen.ticks).toBeGreaterThan(0);
    expect(seen.finished).toBe(1);
    const det = sink.records.filter((x) => x.event_type === 'alert');
    expect(det).toHaveLength(1);
    expect(det[0]).toMatchObject({ alert: { signature_id: 9_000_001, metadata: { detector: ['counter'] } } });
    expect(r.stats.alertsBySignature[0]).toMatchObject({ sid: 9_000_001, detector: 'counter', count: 1 });
  });

  it('IPS: a flow-scope drop rule drops every packet of the SSH flows and nothing else', async () => {
    const { ruleSet } = loadRulesFromString(
      // IP-only (no flow direction: a `flow:to_server` rule is a packet rule in Suricata,
      // suricata-verify detect-udp-flow-rule-02-ips), so its drop applies to the flow
      'drop tcp any any -> any 22 (msg:"ssh blocked"; sid:10;)',
    );
    const sink = new MemorySink();
    const eng = new IdsEngine({ ruleSet, ips: true, sinks: [sink] });
    let dropped = 0;
    await readCapture(LAB, (rec) => {
      if (eng.processRecord(rec) === Verdict.DROP) dropped++;
    });
    eng.finish();
    expect(dropped).toBe(tsharkCount('tcp.port == 22'));
    const alerts = sink.records.filter((x) => x.event_type === 'alert');
    // the rule matches the first to-server packet of each flow; later packets are dropped unseen
    expect(alerts.length).toBe(countSshFlows());
    expect(alerts.every((a) => (a.alert as { action: string }).action === 'blocked')).toBe(true);
  });

  it('adds and removes rules at run time', async () => {
    const text = 'alert http any any -> any any (msg:"get"; http.method; content:"GET"; sid:1;)\n';
    const sources = [{ file: 'a.rules', content: text }];
    const sink = new MemorySink();
    const eng = new IdsEngine({
      ruleSet: loadRuleSources(sources).ruleSet,
      ruleSources: sources,
      sinks: [sink],
    });
    expect(eng.ruleSet.size).toBe(1);
    const r = eng.addRules('alert dns any any -> any any (msg:"q"; dns.query; content:"lab"; sid:2;)');
    expect(r.issues).toEqual([]);
    expect(eng.ruleSet.size).toBe(2);
    expect(eng.removeRules([{ sid: 1 }])).toBe(1);
    expect(eng.ruleSet.rules.map((x) => x.sid)).toEqual([2]);
    await readCapture(LAB, (rec) => void eng.processRecord(rec));
    eng.finish();
    const by = alertsBySid(sink.records);
    expect(by.has(1)).toBe(false);
    expect(by.get(2)).toBe(tsharkCount('dns.flags.response == 0 && dns.qry.name contains "lab"'));
    // a later addRules keeps the removal
    eng.addRules('alert tcp any any -> any any (msg:"x"; content:"x"; sid:3;)');
    expect(eng.ruleSet.rules.map((x) => x.sid).sort()).toEqual([2, 3]);
  });
});

/** TCP conversations to port 22 in the lab capture (tshark's conversation table). */
function countSshFlows(): number {
  const out = execFileSync('tshark', ['-r', LAB, '-q', '-z', 'conv,tcp'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => /:22\s/.test(l)).length;
}
