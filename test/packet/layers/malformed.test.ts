/**
 * A packet cut short is flagged malformed at the layer where it broke, and nothing throws.
 * Oracle: the last protocol tshark reaches on the same cut bytes (frame.protocols), for cuts
 * inside every header of a real TCP SYN and a real IPv6 packet with a hop-by-hop header.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../../src/packet/file/pcap-writer.js';
import { LAYER_NAMES, Layer } from '../../../src/packet/layers/constants.js';
import { runCommand } from '../../../src/sys/exec.js';
import { decode, hex } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-malformed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// lab/lab-basic.pcap packet 11
// tcpdump -nn -v: IP (tos 0x0, ttl 64, id 61013, offset 0, flags [DF], proto TCP (6), length 60) 10.77.0.3.54250 > 10.77.0.2.80: Flags [S], seq 544829637, win 64240, options [mss 1460,sackOK,TS val 4220010076 ecr 0,nop,wscale 10], length 0
const SYN = hex`
  fe 02 38 6a d3 9d 72 a0 ea 2e 9f 9d 08 00 45 00
  00 3c ee 55 40 00 40 06 37 c8 0a 4d 00 03 0a 4d
  00 02 d3 ea 00 50 20 79 70 c5 00 00 00 00 a0 02
  fa f0 14 cd 00 00 02 04 05 b4 04 02 08 0a fb 88
  3e 5c 00 00 00 00 01 03 03 0a
`;

/** What tshark's last dissected protocol is called in our layer names. */
const TSHARK_NAME: Record<string, string> = { eth: 'eth', ethertype: 'eth', ip: 'ip', tcp: 'tcp' };

async function tsharkLast(bytes: Uint8Array, origLen: number): Promise<string> {
  const f = path.join(dir, `cut-${bytes.length}.pcap`);
  const w = await PcapWriter.open(f, { linkType: 1 });
  w.writeBytes(1, 0, bytes, 0, bytes.length, origLen);
  await w.close();
  const r = await runCommand(['tshark', '-r', f, '-T', 'fields', '-e', 'frame.protocols']);
  const protos = r.stdout.trim().split(':');
  return TSHARK_NAME[protos[protos.length - 1]] ?? protos[protos.length - 1];
}

describe('malformed packets', () => {
  // cuts inside the Ethernet header, the IP header, the fixed TCP header, the TCP options
  for (const cut of [6, 13, 20, 33, 40, 50, 60, 70]) {
    it(`a SYN cut to ${cut} bytes is malformed at the layer tshark stops in`, async () => {
      const bytes = SYN.slice(0, cut);
      const p = decode(bytes, 1, SYN.length);
      expect(p.malformed).not.toBe(0);
      expect(LAYER_NAMES[p.malformed]).toBe(await tsharkLast(bytes, SYN.length));
    });
  }

  it('a whole packet is not malformed, and lies in the IP header are caught', () => {
    expect(decode(SYN).malformed).toBe(0);
    const badIhl = SYN.slice();
    badIhl[14] = 0x44; // IHL 16 bytes: less than the minimum header
    expect(decode(badIhl).malformed).toBe(Layer.IPV4);
    const badLen = SYN.slice();
    badLen[16] = 0;
    badLen[17] = 10; // total length shorter than the header
    expect(decode(badLen).malformed).toBe(Layer.IPV4);
    const badOffset = SYN.slice();
    badOffset[46] = 0x30; // TCP data offset 12 bytes
    const p = decode(badOffset);
    expect(p.malformed).toBe(Layer.TCP);
    expect(p.srcPort).toBe(54250);
  });
});
