/**
 * Filter parity with tcpdump over the lab capture: for every expression, the exact set of
 * frames we select equals the set `tcpdump -r FILE -w OUT EXPR` selects (tcpdump is the oracle,
 * libpcap 1.10). The lab capture has IPv4 and IPv6 TCP, UDP, ICMP, ICMPv6 and ARP; VLAN frames
 * are covered in parity-links.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { cleanupParity, type NumberedCapture, numberCapture, sentraFrames, tcpdumpFrames } from './parity.js';

const GROUPS: Record<string, string[]> = {
  protocols: [
    'tcp',
    'udp',
    'icmp',
    'ip',
    'ip6',
    'arp',
    'rarp',
    'sctp',
    'icmp6',
    'ip6 and tcp',
    'igmp',
    'pim',
  ],
  'hosts and nets': [
    'host 10.77.0.3',
    'src host 10.77.0.1',
    'dst host 10.77.0.2',
    'src or dst host 10.77.0.2',
    'src and dst net 10.77.0.0/24',
    'net 10.77.0.0/24',
    'net 10.77.0 mask 255.255.255.0',
    'net 10.77',
    'ip host 10.77.0.1',
    'arp host 10.77.0.2',
    'host fd77::3',
    'ip6 src host fd77::3',
    'net fd77::/16',
    'ip6 src net fd77::/64 and tcp dst port 80',
  ],
  'ports and port ranges': [
    'port 80',
    'tcp port 80',
    'udp port 53',
    'src port 22',
    'dst port 9000',
    'port ssh',
    'port domain',
    'port http',
    'portrange 1-1024',
    'tcp src portrange 1024-65535',
    'dst portrange 9000-9001',
    'udp portrange 50-60',
    'sctp port 80',
    'src and dst port 80',
  ],
  'implicit qualifiers and precedence': [
    'host 10.77.0.1 or 10.77.0.3',
    'tcp port 80 or 22',
    'port 80 or 22 or 9000',
    'host 10.77.0.1 or 10.77.0.3 and tcp',
    'tcp or udp and port 53',
    'host 10.77.0.2 and (port 80 or port 22)',
    'host (10.77.0.1 or 10.77.0.3)',
    'host 10.77.0.2 and not 10.77.0.1',
    'port 80 or (host 10.77.0.3) or 22',
  ],
  negations: [
    'not tcp',
    'not port 80 and not port 22',
    '!tcp && !udp || icmp',
    'not (tcp or udp or icmp)',
    'not not arp',
    'tcp and not port 80 and not port 22 and not port 9000',
    'udp dst port 53 and not src host 10.77.0.3',
  ],
  'tcp flags and named constants': [
    'tcp[tcpflags] & tcp-syn != 0',
    'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn',
    'tcp[tcpflags] & tcp-rst != 0',
    'tcp[tcpflags] & tcp-fin != 0',
    'tcp[tcpflags] & tcp-push != 0',
    'tcp[tcpflags] & (tcp-ack|tcp-urg|tcp-ece|tcp-cwr) = tcp-ack',
    'tcp[13] = 18',
    'tcp[13] & 0x3f = 0x02',
    'icmp[icmptype] == icmp-echo',
    'icmp[icmptype] == icmp-echoreply',
    'icmp6[icmp6type] == icmp6-echo',
    'icmp6[0] = icmp6-neighborsolicit',
  ],
  'byte accessors and arithmetic': [
    'ip[8] = 64',
    'ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0',
    'tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420',
    'ip[6:2] & 0x1fff = 0',
    'udp[4:2] * 2 > 100',
    'ip[1] | 3 = 3',
    'ip[0] ^ 0x40 = 5',
    'ip[0] % 16 = 5',
    'ip[0] % 3 + 1 = 2',
    '-ip[0] % 3 = 1',
    'ip[0] - 70 > 0',
    '(ip[0] & 0xf) * 4 != 20',
    'tcp[0:2] / 1000 = 0',
    'ip6[6] = 6',
    'ip6[40:2] = 80',
    'arp[6:2] = 1',
    'ether[0] & 1 = 1',
    'link[12:2] = 0x86dd',
    'tcp[0] + ip6[0] > 0',
    'ip6[0] + tcp[0] > 0',
    'tcp[tcp[0]] = 1',
    'tcp[100] = 1 or arp',
    'not tcp[40:4] = 0',
    'ip[0] << ip[8] != 0',
    'tcp[-20] = 0x45',
    'ip[0] * 0 = 0',
  ],
  'protocol numbers and names': [
    'ip proto 6',
    'ip proto \\udp',
    'proto \\icmp',
    'proto 17',
    'ip6 proto 58',
    'ip6 proto 6',
    'ether proto 0x0806',
    'ether proto \\arp',
    'ether proto \\ip6',
    'stp',
    'ipx',
  ],
  'link layer, lengths, broadcast and multicast': [
    'ether host fe:02:38:6a:d3:9d',
    'ether src fe:02:38:6a:d3:9d',
    'ether dst ff:ff:ff:ff:ff:ff',
    'ether broadcast',
    'broadcast',
    'ether multicast',
    'multicast',
    'ip multicast',
    'ip6 multicast',
    'ip broadcast',
    'greater 1000',
    'less 60',
    'len >= 1514',
    'len > 100 and len < 200',
  ],
  'more combinations': [
    'length > 1000',
    'ip and length < 100',
    'icmp[icmpcode] = 0',
    'ip6 dst host fd77::2',
    'ether src or dst fe:02:38:6a:d3:9d',
    'proto 6 or proto 17',
    'greater 60 and less 100',
    'portrange 22',
    'tcp portrange 79-81',
    'portrange 1024-1',
    'portrange http-https',
    'port www',
    'ip[0] & 0xf0 = 0x40 && ip[9] = 6',
    'not src net 10.77.0.0/24',
    'dst net 10.77.0.0 mask 255.255.255.128',
    'ip[8] = 0100',
    'ether[6:4] = 0xfe02386a',
    'icmp6 and ip6[40] >= 128',
    'ip6 dst net ff02::/16',
    'arp[7] = 2',
    'port 53 and udp[8:2] & 0x8000 = 0',
    'tcp[2:2] = 80 or tcp[0:2] = 80',
    'host 10.77.0.2 and not (port 80 or port 22 or port 53)',
    'ether host fe:02:38:6a:d3:9d and not ip',
  ],
  'vlan on a capture without tags': [
    'vlan',
    'vlan and tcp',
    'vlan 1 or ip',
    'ip or vlan and ip',
    'not vlan and tcp',
  ],
};

let cap: NumberedCapture;

beforeAll(async () => {
  cap = await numberCapture(corpusPath('lab', 'lab-basic.pcap'));
  expect(cap.packets).toBe(13698);
});

afterAll(() => cleanupParity());

describe('filter parity with tcpdump on lab-basic.pcap (same frames)', () => {
  for (const [group, exprs] of Object.entries(GROUPS)) {
    describe(group, () => {
      for (const expr of exprs) {
        it(expr, async () => {
          const theirs = await tcpdumpFrames(cap, expr);
          expect(sentraFrames(cap, expr)).toEqual(theirs.frames);
        });
      }
    });
  }

  it('covers at least 100 expressions, most of them matching something', async () => {
    const all = Object.values(GROUPS).flat();
    expect(all.length).toBeGreaterThanOrEqual(100);
    let nonEmpty = 0;
    for (const e of all) if (sentraFrames(cap, e).length > 0) nonEmpty++;
    expect(nonEmpty).toBeGreaterThan(all.length * 0.7);
  });
});
