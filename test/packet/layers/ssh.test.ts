/**
 * SSH identification string (parsed on demand): real packets as bytes, each with the line tcpdump prints for it; expected values are
 * what tshark 4.0 reports for the same bytes (taken from it when the packet was added). Crafted
 * packets cover what the corpus lacks; tcpdump's line shows what they are.
 */
import { describe, expect, it } from 'vitest';
import { decode, hex } from './helpers.js';

// lab/lab-basic.pcap packet 2574; link type 1
// tcpdump -nn -v: 01:49:32.845917 IP (tos 0x0, ttl 64, id 42466, offset 0, flags [DF], proto TCP (6), length 93) 10.77.0.2.22 > 10.77.0.1.54482: Flags [P.], cksum 0x14ec (incorrect -> 0x2a1b), seq 1595828730:1595828771, ack 1803081237, win 64, options [nop,nop,TS val 2219471017 ecr 1766549491], length 41: SSH: SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10
const BANNER = hex`
  56 ab a6 12 60 f2 fe 02 38 6a d3 9d 08 00 45 00
  00 5d a5 e2 40 00 40 06 80 1c 0a 4d 00 02 0a 4d
  00 01 00 16 d4 d2 5f 1e 69 fa 6b 78 d6 15 80 18
  00 40 14 ec 00 00 01 01 08 0a 84 4a 70 a9 69 4b
  67 f3 53 53 48 2d 32 2e 30 2d 4f 70 65 6e 53 53
  48 5f 39 2e 32 70 31 20 44 65 62 69 61 6e 2d 32
  2b 64 65 62 31 32 75 31 30 0d 0a
`;

describe('SSH identification string (parsed on demand)', () => {
  it('reads the protocol and software version', () => {
    const p = decode(BANNER, 1);
    const ssh = p.sshBanner()!;
    expect(ssh.raw).toBe('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10'); // tshark ssh.protocol
    expect(ssh.protocol).toBe('2.0');
  });
});
