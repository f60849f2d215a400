/** What a completed TLS handshake tells: protocol, cipher, ALPN and the leaf certificate's names. */
import type tls from 'node:tls';
import type { TlsInfo } from '../types.js';

function first(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** Splits Node's `subjectaltname` text (`DNS:a, IP Address:1.2.3.4`) into names. */
export function parseAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const part of text.split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.+)$/.exec(part.trim());
    if (m) out.push(m[2].trim());
  }
  return out;
}

export function tlsInfo(sock: tls.TLSSocket): TlsInfo {
  const cert = sock.getPeerCertificate(false);
  const has = cert && Object.keys(cert).length > 0;
  const subject = has ? cert.subject : undefined;
  const issuer = has ? cert.issuer : undefined;
  const subjectText = subject ? JSON.stringify(subject) : '';
  const issuerText = issuer ? JSON.stringify(issuer) : '';
  return {
    protocol: sock.getProtocol() ?? '',
    cipher: sock.getCipher()?.name ?? '',
    alpn: typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : '',
    subject_cn: first(subject?.CN),
    alt_names: has ? parseAltNames(cert.subjectaltname) : [],
    issuer_cn: first(issuer?.CN),
    valid_from: has ? new Date(cert.valid_from).toISOString() : '',
    valid_to: has ? new Date(cert.valid_to).toISOString() : '',
    fingerprint256: has ? cert.fingerprint256 : '',
    self_signed: Boolean(has && subjectText !== '' && subjectText === issuerText),
  };
}
