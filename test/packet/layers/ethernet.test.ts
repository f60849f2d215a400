/**
 * Ethernet II and 802.3 frames: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { Layer } from '../../../src/packet/layers/constants.js';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 11; link type 1
// tcpdump -nn -v: 01:49:29.518569 IP (tos 0x0, ttl 64, id 61013, offset 0, flags [DF], proto TCP (6), length 60) 10.77.0.3.54250 > 10.77.0.2.80: Flags [S], cksum 0x14cd (incorrect -> 0x990f), seq 544829637, win 64240, options [mss 1460,sackOK,TS val 4220010076 ecr 0,nop,wscale 10], length 0
const SYN = hex`
  fe 02 38 6a d3 9d 72 a0 ea 2e 9f 9d 08 00 45 00
  00 3c ee 55 40 00 40 06 37 c8 0a 4d 00 03 0a 4d
  00 02 d3 ea 00 50 20 79 70 c5 00 00 00 00 a0 02
  fa f0 14 cd 00 00 02 04 05 b4 04 02 08 0a fb 88
  3e 5c 00 00 00 00 01 03 03 0a
`;
// suricata-verify/tests/tls/tls-subjectaltname/input.pcap packet 5; link type 1
// tcpdump -nn -v: 08:38:50.030860 STP 802.1d, Config, Flags [none], bridge-id 8000.52:54:00:2f:9f:43.8005, length 35 message-age 0.00s, max-age 20.00s, hello-time 2.00s, forwarding-delay 2.00s root-id 8000.52:54:00:2f:9f:43, root-pathcost 0
const STP = hex`
  01 80 c2 00 00 00 fe 54 00 10 75 93 00 26 42 42
  03 00 00 00 00 00 80 00 52 54 00 2f 9f 43 00 00
  00 00 80 00 52 54 00 2f 9f 43 80 05 00 00 14 00
  02 00 02 00
`;

describe('Ethernet II and 802.3 frames', () => {
  it('reads the MACs and the EtherType of an Ethernet II frame', () => {
    const p = decode(SYN, 1);
    expect(p.srcMac()).toBe('72:a0:ea:2e:9f:9d'); // tshark eth.src
    expect(p.dstMac()).toBe('fe:02:38:6a:d3:9d'); // tshark eth.dst
    expect(p.etherType).toBe(2048); // tshark eth.type
    expect(p.ipVersion).toBe(4); // tshark ip.version
    expect(p.layers).toBe(Layer.ETHERNET | Layer.IPV4 | Layer.TCP);
    expect(p.malformed).toBe(0);
  });
  it('stops at an 802.3 length field (LLC is not decoded) without calling it malformed', () => {
    const p = decode(STP, 1);
    expect(p.srcMac()).toBe('fe:54:00:10:75:93'); // tshark eth.src
    expect(p.has(Layer.IPV4)).toBe(false); // tshark ip.src
    expect(p.etherType).toBe(0);
    expect(p.has(Layer.PAYLOAD)).toBe(true);
    expect(p.malformed).toBe(0);
  });
});
