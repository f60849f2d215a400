/**
 * EVE dns records against tshark's decoding of the same packets: every complete DNS message
 * of the lab capture gives one record (format 3) at its frame, with tshark's id, flags,
 * opcode, rcode, question names and types, answer addresses and TTLs; format 2 gives one
 * query record per question and one answer record per response; DNS over TCP is cut into
 * the messages tshark shows.
 */
import { describe, expect, it } from 'vitest';
import { dnsRcodeName, dnsRrtypeName } from '../../../src/ids/app/dns/eve.js';
import { corpusPath } from '../../helpers/corpus.js';
import { eveOf, type Rec, tsharkFields } from './oracle.js';

const LAB = corpusPath('lab', 'lab-basic.pcap');
const FIELDS = [
  'frame.number',
  'dns.id',
  'dns.flags',
  'dns.flags.response',
  'dns.flags.opcode',
  'dns.flags.rcode',
  'dns.qry.name',
  'dns.qry.type',
  'dns.a',
  'dns.resp.ttl',
  'dns.resp.type',
];

describe('EVE dns records', () => {
  it('format 3: one record per well-formed message, fields as tshark decodes them', async () => {
    const recs = (await eveOf(LAB, { dns: { version: 3 } })).filter((r) => r.event_type === 'dns');
    // tshark flags messages whose sections do not parse as malformed; Suricata logs none of them
    const rows = tsharkFields(LAB, 'dns && !_ws.malformed', FIELDS);
    expect(rows.length).toBeGreaterThan(10);
    expect(recs.length).toBe(rows.length);
    const byFrame = new Map<number, Rec>(recs.map((r) => [r.pcap_cnt, r]));
    for (const [frame, id, flags, resp, opcode, rcode, qname, qtype, a, ttl, rtype] of rows) {
      const r = byFrame.get(Number(frame[0]));
      expect(r, `frame ${frame[0]}`).toBeDefined();
      const d = r!.dns;
      expect(d.version).toBe(3);
      expect(d.id).toBe(Number(id[0]));
      expect(d.flags).toBe(Number(flags[0]).toString(16));
      expect(d.type).toBe(resp[0] === '1' ? 'response' : 'request');
      expect(d.opcode).toBe(Number(opcode[0]));
      if (resp[0] === '1') expect(d.rcode).toBe(dnsRcodeName(Number(rcode[0])));
      expect(d.queries.map((q: Rec) => q.rrname)).toEqual(qname);
      expect(d.queries.map((q: Rec) => q.rrtype)).toEqual(qtype.map((t) => dnsRrtypeName(Number(t))));
      // answers: tshark's resp.* fields also cover the additional section (EDNS OPT records)
      const answers: Rec[] = d.answers ?? [];
      const aRecords = answers.filter((x) => x.rrtype === 'A');
      expect(aRecords.map((x) => x.rdata)).toEqual(a);
      expect(answers.map((x) => x.ttl)).toEqual(ttl.slice(0, answers.length).map(Number));
      expect(answers.map((x) => x.rrtype)).toEqual(
        rtype.slice(0, answers.length).map((t) => dnsRrtypeName(Number(t))),
      );
      if (aRecords.length > 0) expect(d.grouped.A).toEqual(a);
      // records name the flow's client first
      expect(r!.dest_port).toBe(53);
    }
  });

  it('format 2: a query record per question, an answer record per response', async () => {
    const recs = (await eveOf(LAB, { dns: { version: 2 } })).filter((r) => r.event_type === 'dns');
    const rows = tsharkFields(LAB, 'dns && !_ws.malformed', FIELDS);
    const queries = rows.filter((r) => r[3][0] === '0');
    const responses = rows.filter((r) => r[3][0] === '1');
    expect(recs.filter((r) => r.dns.type === 'query').length).toBe(
      queries.reduce((n, r) => n + r[6].length, 0),
    );
    const answers = recs.filter((r) => r.dns.type === 'answer');
    expect(answers.length).toBe(responses.length);
    for (const r of answers) {
      const row = responses.find((x) => Number(x[0][0]) === r.pcap_cnt)!;
      expect(r.dns.version).toBe(2);
      expect(r.dns.rrname).toBe(row[6][0]);
      expect(r.dns.id).toBe(Number(row[1][0]));
      expect(r.dns.qr).toBe(true);
    }
  });

  it('alerts on a DNS transaction carry its dns object, the same as its dns record', async () => {
    const recs = await eveOf(
      LAB,
      { dns: { version: 3 } },
      'alert dns any any -> any any (msg:"host1"; dns.query; content:"host1."; startswith; sid:9;)',
    );
    const alerts = recs.filter((r) => r.event_type === 'alert');
    const rows = tsharkFields(LAB, 'dns.flags.response == 0 && dns.qry.name matches "^host1[.]"', [
      'frame.number',
    ]);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.length).toBe(rows.length);
    for (const a of alerts) {
      const rec = recs.find((r) => r.event_type === 'dns' && r.pcap_cnt === a.pcap_cnt);
      expect(a.dns).toEqual(rec?.dns);
      expect(a.tx_id).toBe(rec?.dns.tx_id);
    }
  });

  it('DNS over TCP: each length-prefixed message, also one split across segments', async () => {
    const pcap = corpusPath('suricata-verify', 'tests', 'dns', 'dns-incomplete', 'input.pcap');
    const recs = (await eveOf(pcap, { dns: { version: 3 } })).filter((r) => r.event_type === 'dns');
    // tshark decodes TCP port 5353 as DNS and reassembles the split query
    const rows = tsharkFields(pcap, 'dns', ['dns.id', 'dns.flags.response', 'dns.qry.name']);
    expect(recs.map((r) => [r.dns.id, r.dns.type, r.dns.queries[0].rrname])).toEqual(
      rows.map(([id, resp, name]) => [Number(id[0]), resp[0] === '1' ? 'response' : 'request', name[0]]),
    );
    expect(recs.every((r) => r.proto === 'TCP')).toBe(true);
  });
});
