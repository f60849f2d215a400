/**
 * stats.decoder.* counters against the counts suricata-verify's test.yaml files give for
 * their captures (what Suricata counted on them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecoderCounters } from '../../../src/ids/engine/decoder-stats.js';
import { Decoder } from '../../../src/packet/decoder.js';
import { readCaptureBuffer } from '../../../src/packet/file/reader.js';
import { corpusPath } from '../../helpers/corpus.js';

function count(rel: string): Record<string, number> {
  const bytes = readFileSync(corpusPath('suricata-verify', 'tests', rel));
  const dec = new Decoder();
  const c = new DecoderCounters();
  readCaptureBuffer(bytes, (rec) => c.count(dec.decode(rec)));
  return c.eve();
}

describe('DecoderCounters (Suricata stats.decoder)', () => {
  it('Cisco HDLC: decode-chdlc-01 counts 17 chdlc and 17 ipv4', () => {
    expect(count('decode-chdlc-01/hdlc-http_1tx.pcap')).toMatchObject({ chdlc: 17, ipv4: 17 });
  });
  it('NSH: decode-nsh-type1 counts ethernet, nsh, ipv4 and udp once', () => {
    expect(count('decode-nsh-type1/input.pcap')).toEqual({ ethernet: 1, nsh: 1, ipv4: 1, udp: 1 });
  });
  it('SLL2: decode-sll2-02 counts 159 sll2, ipv4 and tcp', () => {
    expect(count('decode-sll2-02/input.pcap')).toMatchObject({ sll2: 159, ipv4: 159, tcp: 159 });
  });
  it('IPv6 in IPv4: bug-4571-04 counts one ipv6_in_ipv4', () => {
    expect(count('bug-4571-04/ipv6_over_ipv4.pcap')).toMatchObject({ ipv6_in_ipv4: 1 });
  });
});
