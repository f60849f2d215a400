/**
 * ARP: real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { formatIPv4 } from '../../../src/net/address.js';
import { Layer } from '../../../src/packet/layers/constants.js';
import { formatMac } from '../../../src/packet/packet.js';
import { decode, hex, u32 } from './helpers.js';

// lab/lab-basic.pcap packet 9; link type 1
// tcpdump -nn -v: 01:49:29.518521 ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.77.0.2 tell 10.77.0.3, length 28
const REQUEST = hex`
  ff ff ff ff ff ff 72 a0 ea 2e 9f 9d 08 06 00 01
  08 00 06 04 00 01 72 a0 ea 2e 9f 9d 0a 4d 00 03
  00 00 00 00 00 00 0a 4d 00 02
`;

describe('ARP', () => {
  it('reads opcode and IPv4/MAC addresses of an ARP request', () => {
    const p = decode(REQUEST, 1);
    expect(p.arpOp).toBe(1); // tshark arp.opcode
    expect(formatMac(p.buf, p.arpSenderMacOffset)).toBe('72:a0:ea:2e:9f:9d'); // tshark arp.src.hw_mac
    expect(formatIPv4(u32(p.arpSenderIp), 0)).toBe('10.77.0.3'); // tshark arp.src.proto_ipv4
    expect(formatIPv4(u32(p.arpTargetIp), 0)).toBe('10.77.0.2'); // tshark arp.dst.proto_ipv4
    expect(p.arpIpv4).toBe(true);
    expect(p.has(Layer.ARP)).toBe(true);
  });
});
