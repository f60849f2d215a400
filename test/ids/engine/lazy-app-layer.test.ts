/**
 * The engine does only the work something reads (docs/ids-engine.md, "Work done on demand"):
 * HTTP is parsed, HTTP bodies kept and DNS messages parsed only for transaction rules, EVE
 * records or observers that read them; the flow table keeps the CIC feature statistics only
 * for observers that read flow columns; an empty rule set inspects nothing. Each test checks
 * the records and counters are the same as when the work is done, and against tshark where
 * it counts the same thing.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rulesUseHeaderBuffers } from '../../../src/ids/engine/packet-input.js';
import { runIdsOnCapture } from '../../../src/ids/engine/run.js';
import type { IdsEngineConfig } from '../../../src/ids/engine/types.js';
import type { EveRecord } from '../../../src/ids/eve.js';
import type { PacketObserver } from '../../../src/ids/observer.js';
import { MemorySink } from '../../../src/ids/output/eve-file.js';
import { loadRulesFromString } from '../../../src/ids/rules/loader.js';
import { corpusPath } from '../../helpers/corpus.js';

const LAB = corpusPath('lab', 'lab-basic.pcap');

function tsharkCount(filter: string): number {
  const out = execFileSync('tshark', ['-r', LAB, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split('\n').filter(Boolean).length;
}

async function run(config: IdsEngineConfig, rules = '', observers: PacketObserver[] = []) {
  const sink = new MemorySink();
  const { ruleSet, issues } = loadRulesFromString(rules);
  expect(issues).toEqual([]);
  const r = await runIdsOnCapture(LAB, { ruleSet, sinks: [sink], config, observers });
  const of = (type: string): EveRecord[] => sink.records.filter((x) => x.event_type === type);
  return { stats: r.stats, of };
}

/** An observer that only reads flows when they end (it makes the table keep the CIC features). */
function flowReader(): PacketObserver {
  return { name: 'flow-reader', attach: () => {}, onFlowEnd: () => {} };
}

describe('work done on demand', () => {
  it('HTTP is parsed only when something reads it; then every request tshark sees is a transaction', async () => {
    const none = await run({});
    expect(none.stats.transactions.http).toBe(0);
    const requests = tsharkCount('http.request');
    expect(requests).toBeGreaterThan(0);
    const logged = await run({ eve: { http: true } });
    expect(logged.stats.transactions.http).toBe(requests);
    expect(logged.of('http').length).toBe(requests);
    const forced = await run({ alwaysParseHttp: true });
    expect(forced.stats.transactions.http).toBe(requests);
    // app_proto comes from protocol detection, not from parsing: flows are labelled the same
    const flows = await run({ eve: { flow: true } });
    const flowsHttp = await run({ eve: { flow: true, http: true } });
    expect(flows.of('flow')).toEqual(flowsHttp.of('flow'));
    expect(flows.of('flow').filter((f) => f.app_proto === 'http').length).toBeGreaterThan(0);
  });

  it('EVE http records are the same whether bodies are kept (fileinfo on) or only counted', async () => {
    const counted = await run({ eve: { http: true } });
    const kept = await run({ eve: { http: true, fileinfo: true } });
    expect(counted.of('http')).toEqual(kept.of('http'));
    // the response body length is the wire length, counted without keeping the body
    expect(counted.of('http').some((r) => (r.http as { length: number }).length > 0)).toBe(true);
  });

  it('DNS: app_proto and transaction counts do not depend on parsing the messages', async () => {
    const plain = await run({ eve: { flow: true } });
    const parsed = await run({ eve: { flow: true, dns: true } });
    expect(plain.stats.transactions.dns).toBe(parsed.stats.transactions.dns);
    expect(plain.stats.transactions.dns).toBe(tsharkCount('dns'));
    expect(plain.of('flow')).toEqual(parsed.of('flow'));
    expect(parsed.of('dns').length).toBeGreaterThan(0);
  });

  it('TLS handshakes are parsed only when something reads them; then one transaction per ClientHello', async () => {
    const pcap = corpusPath('nfstream', 'pcaps', '443-curl.pcap');
    const hellos = execFileSync(
      'tshark',
      ['-r', pcap, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'frame.number'],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean).length;
    expect(hellos).toBeGreaterThan(0);
    const runOn = async (config: IdsEngineConfig, rules = '') => {
      const sink = new MemorySink();
      const r = await runIdsOnCapture(pcap, {
        ruleSet: loadRulesFromString(rules).ruleSet,
        sinks: [sink],
        config,
      });
      return { stats: r.stats, recs: sink.records };
    };
    expect((await runOn({})).stats.transactions.tls).toBe(0);
    const logged = await runOn({ eve: { tls: true, flow: true } });
    expect(logged.stats.transactions.tls).toBe(hellos);
    // a tls.version rule needs the negotiated version: it fires without any EVE tls record
    const version = await runOn({}, 'alert tls any any -> any any (msg:"v"; tls.version:1.2; sid:1;)');
    const withEve = await runOn(
      { eve: { tls: true } },
      'alert tls any any -> any any (msg:"v"; tls.version:1.2; sid:1;)',
    );
    expect(withEve.stats.alerts).toBeGreaterThan(0);
    expect(version.stats.alerts).toBe(withEve.stats.alerts);
    // flows are labelled tls from detection alone
    const flows = (await runOn({ eve: { flow: true } })).recs.filter((x) => x.event_type === 'flow');
    expect(flows).toEqual(logged.recs.filter((x) => x.event_type === 'flow'));
  });

  it('header buffers are filled only for rule sets that read them; a tcp.hdr rule fires on every packet it should', async () => {
    expect(rulesUseHeaderBuffers(loadRulesFromString('').ruleSet)).toBe(false);
    expect(
      rulesUseHeaderBuffers(
        loadRulesFromString('alert tcp any any -> any any (content:"GET"; sid:1;)').ruleSet,
      ),
    ).toBe(false);
    // the flags byte of the TCP header is 0x02 on a bare SYN
    const rule =
      'alert tcp any any -> any any (msg:"syn"; tcp.hdr; content:"|02|"; offset:13; depth:1; sid:1;)';
    expect(rulesUseHeaderBuffers(loadRulesFromString(rule).ruleSet)).toBe(true);
    const r = await run({}, rule);
    expect(r.stats.alerts).toBe(tsharkCount('tcp.flags == 0x002'));
    expect(r.stats.alerts).toBeGreaterThan(0);
  });

  it('EVE flow records are the same with and without the CIC feature statistics', async () => {
    const light = await run({ eve: { flow: true } });
    const full = await run({ eve: { flow: true } }, '', [flowReader()]);
    expect(light.of('flow').length).toBe(light.stats.flows);
    expect(light.of('flow')).toEqual(full.of('flow'));
  });

  it('an empty rule set inspects nothing; flows, streams and transactions are as with rules', async () => {
    const cfg: IdsEngineConfig = { eve: { flow: true, http: true, dns: true } };
    const empty = await run(cfg);
    const never = await run(
      cfg,
      'alert ip any any -> any any (msg:"never"; content:"|00 01 02 03 04 05 06 07 08 09 0a 0b|"; sid:1;)',
    );
    expect(never.stats.alerts).toBe(0);
    expect(never.stats.inspections.packet).toBe(never.stats.packets - never.stats.nonIp);
    expect(never.stats.inspections.stream).toBeGreaterThan(0);
    expect(empty.stats.inspections).toEqual({ packet: 0, stream: 0, tx: 0 });
    expect(empty.stats.stream).toEqual(never.stats.stream);
    expect(empty.stats.transactions).toEqual(never.stats.transactions);
    for (const t of ['flow', 'http', 'dns']) expect(empty.of(t)).toEqual(never.of(t));
  });
});
