/**
 * The EVE `tls` object of a flow's handshake, with Suricata's fields and formats
 * (output-json-tls.c, standard fields): the server certificate's `subject`, `issuerdn`,
 * `serial` (upper-case hex bytes joined by ':'), `fingerprint` (SHA-1 of the DER, lower-case
 * hex joined by ':'), `notbefore`/`notafter` (UTC, `YYYY-MM-DDTHH:MM:SS`), then `sni` and the
 * negotiated `version` ("TLS 1.2", "TLSv1", "UNDETERMINED" without a ServerHello).
 */
import { createHash } from 'node:crypto';
import type { TlsHandshake } from './handshake.js';
import { parseX509 } from './x509.js';

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

/** Reads the logged fields of a DER certificate. */
export function certificateFields(der: Uint8Array): CertificateFields | null {
  const x = parseX509(der);
  if (x === null) return null;
  return {
    subject: x.subject,
    issuerdn: x.issuer,
    serial: hexJoin(x.serial, true),
    fingerprint: hexJoin(createHash('sha1').update(der).digest(), false),
    notbefore: x.notBefore,
    notafter: x.notAfter,
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
