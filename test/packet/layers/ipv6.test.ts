/**
 * IPv6 and its extension headers: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap, Layer } from '../../../src/packet/layers/constants.js';
import { Ipv6Ext } from '../../../src/packet/layers/ipv6.js';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 1; link type 1
// tcpdump -nn -v: 01:49:28.527225 IP6 (hlim 1, next-header Options (0) payload length: 56) fe80::70a0:eaff:fe2e:9f9d > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr ff02::1:ff2e:9f9d to_ex, 0 source(s)] [gaddr ff02::1:ff00:3 to_ex, 0 source(s)]
const HOPOPTS = hex`
  33 33 00 00 00 16 72 a0 ea 2e 9f 9d 86 dd 60 00
  00 00 00 38 00 01 fe 80 00 00 00 00 00 00 70 a0
  ea ff fe 2e 9f 9d ff 02 00 00 00 00 00 00 00 00
  00 00 00 00 00 16 3a 00 05 02 00 00 01 00 8f 00
  d5 b3 00 00 00 02 04 00 00 00 ff 02 00 00 00 00
  00 00 00 00 00 01 ff 2e 9f 9d 04 00 00 00 ff 02
  00 00 00 00 00 00 00 00 00 01 ff 00 00 03
`;
// crafted; link type 1
// tcpdump -nn -v: 22:13:20.000000 IP6 (hlim 64, next-header Routing (43) payload length: 52) 2001:db8::1 > 2001:db8::2: RT6 (len=2, type=0 [Deprecated], segleft=1, rsv=0x0, [0]2001:db8::3) DSTOPT (padn) 1234 > 80: Flags [S], cksum 0x0000 (incorrect -> 0x2b63), seq 1000, win 8192, length 0
const ROUTING_DSTOPTS = hex`
  02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00
  00 00 00 34 2b 40 20 01 0d b8 00 00 00 00 00 00
  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
  00 00 00 00 00 02 3c 02 00 01 00 00 00 00 20 01
  0d b8 00 00 00 00 00 00 00 00 00 00 00 03 06 00
  01 04 00 00 00 00 04 d2 00 50 00 00 03 e8 00 00
  00 00 50 02 20 00 00 00 00 00
`;
// suricata-verify/tests/defrag/bug-6887-defrag-eth-vlan-ipv6-tcp/frag-eth-vlan-ipv6-tcp.pcap packet 1; link type 1
// tcpdump -nn -v: 09:05:28.395377 IP6 (hlim 64, next-header Fragment (44) payload length: 448) ::1 > ::1: frag (0xa5d33a2d:0|440) 12345 > 8080: Flags [.], seq 1:421, ack 0, win 8192, length 420: HTTP
const FRAGMENT = hex`
  05 04 03 02 01 00 00 01 02 03 04 05 81 00 00 06
  86 dd 60 00 00 00 01 c0 2c 40 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 01 06 00 00 01 a5 d3
  3a 2d 30 39 1f 90 00 00 00 01 00 00 00 00 50 10
  20 00 c8 ad 00 00 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41
  41 41 41 41 41 41 41 41 41 41
`;
// nfstream/pcaps/ipv6_in_gtp.pcap packet 2; link type 1
// tcpdump -nn -v: 12:08:14.424533 IP (tos 0x58, ttl 255, id 63042, offset 0, flags [none], proto UDP (17), length 144) 10.238.36.92.2152 > 10.238.254.77.2152: UDP, length 116
const ESP = hex`
  00 00 00 00 00 01 34 b3 54 07 ca 55 81 00 0c 9f
  81 00 40 02 08 00 45 58 00 90 f6 42 00 00 ff 11
  8c 3c 0a ee 24 5c 0a ee fe 4d 08 68 08 68 00 7c
  00 00 30 ff 00 6c 07 4c 15 b0 60 0d b6 48 00 44
  32 40 2a 01 04 c8 c0 14 14 4e 00 01 00 02 94 5b
  67 61 2a 01 04 c8 f0 00 0f 49 00 00 00 00 00 00
  00 04 ff 3b 66 03 00 00 00 42 19 66 d4 e1 71 81
  e4 db 6b 9d 12 c9 11 23 9b 79 45 6c f7 3d 96 0a
  cb 51 c4 58 79 b2 47 62 56 33 48 27 96 bf 62 ff
  22 34 80 5d f4 b5 53 e4 61 e0 30 f1 47 bc 95 5d
  bf 24 39 a2 37 5e
`;

describe('IPv6 and its extension headers', () => {
  it('walks a hop-by-hop header to ICMPv6', () => {
    const p = decode(HOPOPTS, 1);
    expect(p.srcAddr()).toBe('fe80::70a0:eaff:fe2e:9f9d'); // tshark ipv6.src
    expect(p.dstAddr()).toBe('ff02::16'); // tshark ipv6.dst
    expect(p.ipNextHeader).toBe(0); // tshark ipv6.nxt
    expect(p.ttl).toBe(1); // tshark ipv6.hlim
    expect(p.icmpType).toBe(143); // tshark icmpv6.type
    expect(p.ipv6Ext).toBe(Ipv6Ext.HOPOPTS);
    expect(p.ipProto).toBe(58);
  });
  it('walks routing and destination-options headers to TCP', () => {
    const p = decode(ROUTING_DSTOPTS, 1);
    expect(p.ipNextHeader).toBe(43); // tshark ipv6.nxt
    expect(p.srcPort).toBe(1234); // tshark tcp.srcport
    expect(p.tcpFlags).toBe(2); // tshark tcp.flags
    expect(p.ipLen - 40).toBe(52); // tshark ipv6.plen
    expect(p.ipv6Ext).toBe(Ipv6Ext.ROUTING | Ipv6Ext.DSTOPTS);
    expect(p.ipHeaderLen).toBe(40 + 24 + 8);
    expect(p.ipProto).toBe(6);
  });
  it('reads the fragment header and decodes TCP in the first fragment', () => {
    const p = decode(FRAGMENT, 1);
    expect(p.ipId).toBe(2782083629); // tshark ipv6.fraghdr.ident
    expect(p.moreFragments).toBe(true); // tshark ipv6.fraghdr.more
    expect(p.srcPort).toBe(12345); // tshark tcp.srcport
    expect(p.ipv6Ext & Ipv6Ext.FRAGMENT).not.toBe(0);
    expect(p.fragOffset).toBe(0);
    expect(p.has(Layer.FRAGMENT)).toBe(true);
  });
  it('stops at ESP (inside GTP inside two VLAN tags)', () => {
    const p = decode(ESP, 1);
    expect(p.vlanId).toBe(3231); // tshark vlan.id
    expect(p.vlanId2).toBe(2); // tshark vlan.id
    expect(p.inner!.srcAddr()).toBe('2a01:4c8:c014:144e:1:2:945b:6761'); // tshark ipv6.src
    expect(p.inner!.ipNextHeader).toBe(50); // tshark ipv6.nxt
    expect(p.innerKind).toBe(Encap.GTP);
    expect(p.inner!.has(Layer.ESP)).toBe(true);
    expect(p.inner!.ipProto).toBe(50);
    expect(p.inner!.malformed).toBe(0);
  });
});
