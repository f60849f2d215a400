/**
 * The EVE `tls` object of a flow's handshake, with Suricata's fields and formats
 * (output-json-tls.c, standard fields): the server certificate's `subject`, `issuerdn`,
 * `serial` (upper-case hex bytes joined by ':'), `fingerprint` (SHA-1 of the DER, lower-case
 * hex joined by ':'), `notbefore`/`notafter` (UTC, `YYYY-MM-DDTHH:MM:SS`), then `sni` and the
 * negotiated `version` ("TLS 1.2", "TLSv1", "UNDETERMINED" without a ServerHello).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { TlsHandshake } from './handshake.js';

/** Suricata's name of a TLS/SSL version number. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0200:
      return 'SSLv2';
    case 0x0300:
      return 'SSLv3';
    case 0x0301:
      return 'TLSv1';
    case 0x0302:
      return 'TLS 1.1';
    case 0x0303:
      return 'TLS 1.2';
    case 0x0304:
      return 'TLS 1.3';
    default:
      // TLS 1.3 drafts (0x7fxx) and unknown values
      return (v & 0xff00) === 0x7f00 ? `TLS 1.3 draft-${v & 0xff}` : 'UNDETERMINED';
  }
}

/** The certificate fields Suricata logs, or null when the DER does not parse. */
export interface CertificateFields {
  subject: string;
  issuerdn: string;
  serial: string;
  fingerprint: string;
  notbefore: string;
  notafter: string;
}

function hexJoin(b: Uint8Array, upper: boolean): string {
  const parts: string[] = [];
  for (const x of b) parts.push(x.toString(16).padStart(2, '0'));
  const s = parts.join(':');
  return upper ? s.toUpperCase() : s;
}

/** Distinguished name lines ("C=FR\nCN=x") as Suricata writes them ("C=FR, CN=x"). */
function dn(s: string): string {
  return s.split('\n').join(', ');
}

function utcTime(d: string): string {
  const t = new Date(d);
  return Number.isNaN(t.getTime()) ? '' : t.toISOString().slice(0, 19);
}

/** DER length at `o` (after the tag): [length, header bytes]. */
function derLen(b: Uint8Array, o: number): [number, number] {
  const first = b[o];
  if (first < 0x80) return [first, 1];
  const n = first & 0x7f;
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + b[o + i];
  return [len, 1 + n];
}

/** The raw bytes of the certificate's serialNumber INTEGER (sign byte included, as Suricata logs). */
export function rawSerial(der: Uint8Array): Uint8Array | null {
  // Certificate SEQUENCE > TBSCertificate SEQUENCE > [0] version? > INTEGER serial
  let o = 0;
  for (let depth = 0; depth < 2; depth++) {
    if (der[o] !== 0x30) return null;
    const [, h] = derLen(der, o + 1);
    o += 1 + h;
  }
  if (der[o] === 0xa0) {
    const [l, h] = derLen(der, o + 1);
    o += 1 + h + l;
  }
  if (der[o] !== 0x02) return null;
  const [l, h] = derLen(der, o + 1);
  const start = o + 1 + h;
  if (start + l > der.length) return null;
  return der.subarray(start, start + l);
}

/** Reads the logged fields of a DER certificate. */
export function certificateFields(der: Uint8Array): CertificateFields | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return null;
  }
  const serial = rawSerial(der);
  return {
    subject: dn(cert.subject),
    issuerdn: dn(cert.issuer),
    serial: serial !== null ? hexJoin(serial, true) : '',
    fingerprint: hexJoin(createHash('sha1').update(der).digest(), false),
    notbefore: utcTime(cert.validFrom),
    notafter: utcTime(cert.validTo),
  };
}

/** The EVE `tls` object of a handshake. */
export function tlsEveObject(hs: TlsHandshake): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const cert = hs.certificate !== null ? certificateFields(hs.certificate) : null;
  if (cert !== null) {
    o.subject = cert.subject;
    o.issuerdn = cert.issuerdn;
    o.serial = cert.serial;
    o.fingerprint = cert.fingerprint;
  }
  const sni = hs.clientHello?.serverName ?? '';
  if (sni !== '') o.sni = sni;
  o.version = tlsVersionName(hs.serverHello?.version ?? 0);
  if (cert !== null) {
    o.notbefore = cert.notbefore;
    o.notafter = cert.notafter;
  }
  return o;
}
