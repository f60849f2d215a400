/**
 * EVE alert record shape, checked against the format in Suricata's documentation
 * (output/eve/eve-json-format) and the field names suricata-verify tests filter on.
 */
import { describe, expect, it } from 'vitest';
import { buildAlertRecord, eveProto, formatEveTimestamp, formatFastLog } from '../../src/ids/eve.js';
import { load } from './helpers.js';

const rule = load(
  'alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET TEST Example"; flow:established,to_server; http.uri; content:"/x"; classtype:trojan-activity; metadata:created_at 2010_07_30, former_category MALWARE; target:dest_ip; sid:2001999; rev:9;)',
).ruleSet.rules[0];

describe('EVE timestamps', () => {
  it('formats like 2019-08-21T19:27:04.663085+0000', () => {
    // 2019-08-21T19:27:04Z
    expect(formatEveTimestamp(1566415624, 663085)).toBe('2019-08-21T19:27:04.663085+0000');
    expect(formatEveTimestamp(0, 5)).toBe('1970-01-01T00:00:00.000005+0000');
    expect(formatEveTimestamp(1566415624, 0, -480)).toBe('2019-08-21T11:27:04.000000-0800');
  });
});

describe('EVE alert records', () => {
  it('has Suricata fields, nested alert and flow objects', () => {
    const rec = buildAlertRecord(rule, {
      tsSec: 1566415624,
      tsUsec: 663085,
      src: new Uint8Array([192, 168, 2, 7]),
      dst: new Uint8Array([198, 51, 100, 50]),
      srcPort: 1041,
      dstPort: 80,
      ipProto: 6,
      flowId: 1234567890123,
      pcapCnt: 4,
      txId: 0,
      appProto: 'http',
      toServer: true,
      flow: { pktsToServer: 3, pktsToClient: 2, bytesToServer: 300, bytesToClient: 200, start: 1566415623.5 },
      http: { hostname: 'example.com', url: '/x', http_method: 'GET', protocol: 'HTTP/1.1' },
    });
    expect(rec).toEqual({
      timestamp: '2019-08-21T19:27:04.663085+0000',
      flow_id: 1234567890123,
      pcap_cnt: 4,
      event_type: 'alert',
      src_ip: '192.168.2.7',
      src_port: 1041,
      dest_ip: '198.51.100.50',
      dest_port: 80,
      proto: 'TCP',
      tx_id: 0,
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: 2001999,
        rev: 9,
        signature: 'ET TEST Example',
        category: 'A Network Trojan was detected',
        severity: 1,
        metadata: { created_at: ['2010_07_30'], former_category: ['MALWARE'] },
        source: { ip: '192.168.2.7', port: 1041 },
        target: { ip: '198.51.100.50', port: 80 },
      },
      http: { hostname: 'example.com', url: '/x', http_method: 'GET', protocol: 'HTTP/1.1' },
      app_proto: 'http',
      direction: 'to_server',
      flow: {
        pkts_toserver: 3,
        pkts_toclient: 2,
        bytes_toserver: 300,
        bytes_toclient: 200,
        start: '2019-08-21T19:27:03.500000+0000',
      },
    });
    // key order follows Suricata's output
    expect(Object.keys(rec).slice(0, 6)).toEqual([
      'timestamp',
      'flow_id',
      'pcap_cnt',
      'event_type',
      'src_ip',
      'src_port',
    ]);
  });

  it('ICMP has type and code instead of ports; IPv6 is written compressed; drop in IPS is blocked', () => {
    const r = load('drop icmp any any -> any any (msg:"ping"; itype:128; sid:5;)').ruleSet.rules[0];
    const src = new Uint8Array(16);
    src.set([0x20, 0x01, 0x0d, 0xb8]);
    src[15] = 1;
    const dst = new Uint8Array(16);
    dst[15] = 1;
    const rec = buildAlertRecord(r, {
      tsSec: 1,
      tsUsec: 0,
      src,
      dst,
      srcPort: 0,
      dstPort: 0,
      ipProto: 58,
      icmpType: 128,
      icmpCode: 0,
      blocked: true,
    });
    expect(rec.src_ip).toBe('2001:db8::1');
    expect(rec.dest_ip).toBe('::1');
    expect(rec.proto).toBe('IPv6-ICMP');
    expect(rec).not.toHaveProperty('src_port');
    expect(rec).toMatchObject({
      icmp_type: 128,
      icmp_code: 0,
      alert: { action: 'blocked', severity: 3, category: '' },
    });
    expect(eveProto(17)).toBe('UDP');
    expect(eveProto(200)).toBe('200');
  });

  it('fast.log line', () => {
    const line = formatFastLog(rule, {
      tsSec: 1566415624,
      tsUsec: 663085,
      src: new Uint8Array([192, 168, 2, 7]),
      dst: new Uint8Array([198, 51, 100, 50]),
      srcPort: 1041,
      dstPort: 80,
      ipProto: 6,
    });
    expect(line).toBe(
      '08/21/2019-19:27:04.663085  [**] [1:2001999:9] ET TEST Example [**] [Classification: A Network Trojan was detected] [Priority: 1] {TCP} 192.168.2.7:1041 -> 198.51.100.50:80',
    );
  });
});
