/**
 * EVE tls records against the oracles: tshark for the handshake (SNI, negotiated version,
 * the certificate's bytes) and openssl for the certificate fields (subject, issuer, serial,
 * SHA-1 fingerprint, validity), on TLS captures of the corpus. One record per handshake.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tlsVersionName } from '../../../src/ids/app/tls/eve.js';
import { corpusPath } from '../../helpers/corpus.js';
import { eveOf, tsharkFields } from './oracle.js';

const CAPTURES = ['443-curl', 'selfsigned', '443-firefox', 'ssl-cert-name-mismatch', 'long_tls_certificate'];

/** openssl's reading of a DER certificate: names without escaping, ", " between parts. */
function openssl(der: Buffer): Record<string, string> {
  const out = execFileSync(
    'openssl',
    [
      'x509',
      '-inform',
      'DER',
      '-noout',
      '-nameopt',
      'utf8,sep_comma_plus_space,sname',
      '-subject',
      '-issuer',
      '-serial',
      '-fingerprint',
      '-sha1',
      '-startdate',
      '-enddate',
    ],
    { input: der, encoding: 'utf8' },
  );
  const m: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m[line.slice(0, i)] = line.slice(i + 1);
  }
  return m;
}

const iso = (d: string) => new Date(d).toISOString().slice(0, 19);

describe('EVE tls records', () => {
  it('a ClientHello split over several segments still gives its SNI (tshark reassembles it too)', async () => {
    const pcap = corpusPath(
      'suricata-verify',
      'tests',
      'tls',
      'tls-client-hello-frag-01',
      'dump_mtu300.pcap',
    );
    const hellos = tsharkFields(pcap, 'tls.handshake.type == 1', [
      'frame.number',
      'tls.handshake.extensions_server_name',
    ]);
    // the hello ends in a later frame than the first of its segments
    const first = tsharkFields(pcap, 'tcp.len > 0', ['frame.number'])[0][0][0];
    expect(Number(hellos[0][0][0])).toBeGreaterThan(Number(first));
    const recs = await eveOf(
      pcap,
      { tls: true },
      'alert tls any any -> any any (tls.sni; content:"google"; sid:1;)',
    );
    const tls = recs.filter((r) => r.event_type === 'tls');
    expect(tls.map((r) => r.tls.sni)).toEqual([hellos[0][1][0]]);
    expect(recs.filter((r) => r.event_type === 'alert').length).toBe(1);
  });

  for (const name of CAPTURES) {
    it(`${name}: sni, version and certificate fields`, async () => {
      const pcap = corpusPath('nfstream', 'pcaps', `${name}.pcap`);
      const recs = (await eveOf(pcap, { tls: true })).filter((r) => r.event_type === 'tls');
      const hellos = tsharkFields(pcap, 'tls.handshake.type == 1', ['tls.handshake.extensions_server_name']);
      const servers = tsharkFields(pcap, 'tls.handshake.type == 2', [
        'tls.handshake.version',
        'tls.handshake.extensions.supported_version',
      ]);
      const certs = tsharkFields(
        pcap,
        'tls.handshake.type == 11',
        ['tls.handshake.certificate'],
        ['-o', 'tls.desegment_ssl_records:TRUE'],
      );
      expect(recs.length).toBe(hellos.length);
      const t = recs[0].tls;
      expect(t.sni).toBe(hellos[0][0][0]);
      const sv = servers[0][1][0] ?? servers[0][0][0];
      expect(t.version).toBe(tlsVersionName(Number(sv)));
      const der = Buffer.from(certs[0][0][0].replaceAll(':', ''), 'hex');
      const o = openssl(der);
      expect(t.subject).toBe(o.subject);
      expect(t.issuerdn).toBe(o.issuer);
      // Suricata writes the INTEGER's bytes (a leading 00 sign byte included); openssl the number
      expect(t.serial.replaceAll(':', '').replace(/^(00)+/, '')).toBe(o.serial.replace(/^(00)+/, ''));
      expect(t.fingerprint).toBe((o['sha1 Fingerprint'] ?? o['SHA1 Fingerprint']).toLowerCase());
      expect(t.notbefore).toBe(iso(o.notBefore));
      expect(t.notafter).toBe(iso(o.notAfter));
    });
  }
});
