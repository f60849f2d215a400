/**
 * Filter parity with tcpdump on every link type the reader supports and on 802.1Q-tagged
 * Ethernet, over captures of the shared corpus: same frames selected, or the same refusal
 * (libpcap refuses `vlan` on Linux cooked captures, `inbound` on Ethernet files, ...).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { cleanupParity, compareWithTcpdump, type NumberedCapture, numberCapture } from './parity.js';

/** Expressions run on every capture below. */
const COMMON = [
  'tcp',
  'udp',
  'ip',
  'ip6',
  'arp',
  'icmp or icmp6',
  'port 80 or port 443',
  'udp port 53',
  'tcp[tcpflags] & tcp-syn != 0',
  'portrange 1-1024',
  'net 10.0.0.0/8 or net 192.168.0.0/16',
  'ip proto 17',
  'ip6 proto 6',
  'ether proto 0x800',
  'ether[0] = 0',
  'greater 500',
  'less 100',
  'ip[0] & 0xf > 5',
  'not ip and not ip6',
  'ip6 and tcp[13] = 2',
  'ip multicast or ip6 multicast',
  'inbound',
  'outbound',
  'ifindex 1',
  'vlan',
  'ether host 00:00:00:00:00:00',
  'broadcast',
  'multicast',
  'ip broadcast',
  'stp',
];

const VLAN = [
  'vlan',
  'vlan and tcp',
  'vlan and port 80',
  'vlan and ip6',
  'vlan and (udp or tcp)',
  'vlan and tcp[13] & 2 != 0',
  'vlan and ether[12:2] = 0x8100',
  'vlan and ip[9] = 6',
  'vlan and vlan',
  'vlan and not vlan',
  'not vlan and tcp',
  'ip or vlan and udp',
  'tcp or vlan and tcp',
  'vlan 100',
  'vlan 0 or vlan 1',
  'vlan and host 10.0.0.1',
  'vlan and ip multicast',
];

const CAPTURES: Array<{ label: string; parts: string[]; extra?: string[] }> = [
  { label: 'Linux cooked v1 (113)', parts: ['nfstream', 'pcaps', 'KakaoTalk_talk.pcap'] },
  { label: 'Linux cooked v1, pcapng (113)', parts: ['nfstream', 'pcaps', 'reasm_crash_anon.pcapng'] },
  { label: 'Linux cooked v2 (276)', parts: ['suricata-verify', 'tests', 'decode-sll2-02', 'input.pcap'] },
  { label: 'BSD loopback (0)', parts: ['nfstream', 'pcaps', 'rdp.pcap'] },
  { label: 'raw IP (101)', parts: ['suricata-verify', 'tests', 'bug-5758', 'input.pcap'] },
  { label: 'raw IPv4 (228)', parts: ['suricata-verify', 'tests', 'detect-ipopts', 'input.pcap'] },
  {
    label: 'raw IPv6 (229)',
    parts: ['suricata-verify', 'tests', 'defrag', 'bug-6887-defrag-ipv6-tcp', 'frag-ip-tcp.pcap'],
  },
  {
    label: 'Ethernet with 802.1Q tags (nmap scan)',
    parts: ['attacks', 'tcp_0_1000_20190821.pcap'],
    extra: VLAN,
  },
  { label: 'Ethernet with 802.1Q tags (mongodb)', parts: ['nfstream', 'pcaps', 'mongodb.pcap'], extra: VLAN },
  {
    label: 'Ethernet, tagged and untagged',
    parts: ['suricata-verify', 'tests', 'bug-4376', 'syn_retransmit_with_ts.pcap'],
    extra: VLAN,
  },
  {
    label: 'Ethernet, 802.1Q + IPv6 fragments',
    parts: [
      'suricata-verify',
      'tests',
      'defrag',
      'bug-6887-defrag-eth-vlan-ipv6-tcp',
      'frag-eth-vlan-ipv6-tcp.pcap',
    ],
    extra: VLAN,
  },
];

afterAll(() => cleanupParity());

describe('filter parity with tcpdump on other link types', () => {
  for (const c of CAPTURES) {
    describe(c.label, () => {
      let cap: NumberedCapture | undefined;
      const get = async () => {
        cap ??= await numberCapture(corpusPath(...c.parts));
        return cap;
      };
      for (const expr of [...COMMON, ...(c.extra ?? [])]) {
        it(expr, async () => {
          const r = await compareWithTcpdump(await get(), expr);
          expect(r.ours).toEqual(r.theirs);
        });
      }
    });
  }
});
