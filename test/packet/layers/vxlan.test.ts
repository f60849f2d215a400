/**
 * VXLAN: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Encap, Layer } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// suricata-verify/tests/vxlan-decoder-02/vxlan.pcap packet 1; link type 1
// tcpdump -nn -v: 20:21:44.837063 IP (tos 0x0, ttl 64, id 53952, offset 0, flags [DF], proto UDP (17), length 134) 192.168.203.1.45149 > 192.168.202.1.4789: VXLAN, flags [I] (0x08), vni 100 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 84) 192.168.203.3 > 192.168.203.5: ICMP echo request, id 1292, seq 1, length 64
const VXLAN = hex`
  00 16 3e 08 71 cf 36 dc 85 1e b3 40 08 00 45 00
  00 86 d2 c0 40 00 40 11 51 52 c0 a8 cb 01 c0 a8
  ca 01 b0 5d 12 b5 00 72 00 00 08 00 00 00 00 00
  64 00 00 30 88 01 00 02 00 16 3e 37 f6 04 08 00
  45 00 00 54 00 00 40 00 40 01 23 4f c0 a8 cb 03
  c0 a8 cb 05 08 00 f6 f2 05 0c 00 01 fc e2 97 51
  00 00 00 00 a6 f8 02 00 00 00 00 00 10 11 12 13
  14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23
  24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33
  34 35 36 37
`;

describe('VXLAN', () => {
  it('decodes the Ethernet frame inside VXLAN', () => {
    const p = decode(VXLAN, 1);
    expect(p.vni).toBe(100); // tshark vxlan.vni
    expect(p.inner!.srcMac()).toBe('00:16:3e:37:f6:04'); // tshark eth.src
    expect(p.inner!.etherType).toBe(2048); // tshark eth.type
    expect(p.innerKind).toBe(Encap.VXLAN);
    expect(p.has(Layer.VXLAN)).toBe(true);
  });
});
