/**
 * EVE drop records in IPS mode against tshark's decoding of the dropped packets: one record
 * per packet a rule dropped, with the packet's IP and TCP header fields, the reason and (with
 * `alerts`) the dropping rule; a dropped flow logged once per direction (`flows: start`) or
 * for every packet (`flows: all`).
 */
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { eveOf, type Rec, tsharkFields } from './oracle.js';

const PCAP = corpusPath('suricata-verify', 'tests', 'http-all-headers', 'input.pcap');
const FIELDS = [
  'frame.number',
  'ip.len',
  'ip.dsfield',
  'ip.ttl',
  'ip.id',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.window_size_value',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.flags.push',
  'tcp.flags.reset',
  'tcp.flags.fin',
  'tcp.urgent_pointer',
  'ip.src',
  'tcp.srcport',
];

const drops = (recs: Rec[]) => recs.filter((r) => r.event_type === 'drop');
const bool = (v: string[]) => v[0] === '1' || v[0] === 'True';

describe('EVE drop records', () => {
  it('a packet rule: one record per dropped packet, header fields as tshark reads them', async () => {
    const recs = await eveOf(
      PCAP,
      { drop: { alerts: true, flows: 'all' } },
      'drop tcp any any -> any any (msg:"to server"; flow:to_server; sid:1;)',
      true,
    );
    const client = '145.254.160.237';
    const rows = tsharkFields(PCAP, `ip.src == ${client}`, FIELDS);
    const d = drops(recs);
    expect(d.length).toBe(rows.length);
    for (const [
      frame,
      len,
      tos,
      ttl,
      id,
      seq,
      ack,
      win,
      syn,
      ackf,
      psh,
      rst,
      fin,
      urgp,
      src,
      sport,
    ] of rows) {
      const r = d.find((x) => x.pcap_cnt === Number(frame[0]));
      expect(r, `frame ${frame[0]}`).toBeDefined();
      expect(r!.src_ip).toBe(src[0]);
      expect(r!.ip_v).toBe(4);
      expect(r!.src_port).toBe(Number(sport[0]));
      expect(r!.direction).toBe('to_server');
      expect(r!.drop).toMatchObject({
        len: Number(len[0]),
        tos: Number(tos[0]),
        ttl: Number(ttl[0]),
        ipid: Number(id[0]),
        tcpseq: Number(seq[0]),
        tcpack: Number(ack[0]),
        tcpwin: Number(win[0]),
        syn: bool(syn),
        ack: bool(ackf),
        psh: bool(psh),
        rst: bool(rst),
        fin: bool(fin),
        tcpurgp: Number(urgp[0]),
        reason: 'rules',
      });
      expect(r!.alert).toMatchObject({ action: 'blocked', signature_id: 1, signature: 'to server' });
    }
  });

  it('a flow drop: flows start logs the rule drop and one packet per direction', async () => {
    const rule = 'drop ip any any -> any any (sid:2;)';
    const start = drops(await eveOf(PCAP, { drop: { flows: 'start' } }, rule, true));
    expect(start.map((r) => [r.pcap_cnt, r.drop.reason, r.direction])).toEqual([
      [1, 'rules', 'to_server'],
      [2, 'flow drop', 'to_client'],
    ]);
    // without `alerts` the record carries no alert
    expect(start[0].alert).toBeUndefined();
    const all = drops(await eveOf(PCAP, { drop: { flows: 'all' } }, rule, true));
    const frames = tsharkFields(PCAP, 'frame', ['frame.number']).length;
    expect(all.length).toBe(frames);
    expect(all.slice(1).every((r) => r.drop.reason === 'flow drop')).toBe(true);
  });

  it('IDS mode writes no drop records', async () => {
    const recs = await eveOf(PCAP, { drop: true }, 'drop ip any any -> any any (sid:2;)', false);
    expect(drops(recs)).toEqual([]);
  });
});
