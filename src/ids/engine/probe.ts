/**
 * Application protocol detection from the first bytes of a TCP direction (Suricata's
 * probing parsers, reduced to the protocols Sentra parses): HTTP request methods and status
 * lines, TLS handshake records, SSH banners. Ports are not used: HTTP on port 22 is HTTP.
 */

const METHODS = [
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
  'CHECKOUT',
  'MERGE',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'M-SEARCH',
  'UPDATE',
  'VERSION-CONTROL',
  'BASELINE-CONTROL',
  'MKACTIVITY',
  'ORDERPATCH',
  'ACL',
  'LABEL',
  'MKWORKSPACE',
  'UNCHECKOUT',
].map((m) => Buffer.from(m, 'latin1'));

function startsWith(d: Uint8Array, p: Uint8Array, nocase: boolean): boolean {
  if (d.length < p.length) return false;
  for (let i = 0; i < p.length; i++) {
    let c = d[i];
    if (nocase && c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== p[i]) return false;
  }
  return true;
}

const HTTP_SLASH = Buffer.from('HTTP/', 'latin1');
const SSH_DASH = Buffer.from('SSH-', 'latin1');

/** 'http', 'tls', 'ssh' or '' (unknown) for the first bytes of one direction. */
export function detectProtocol(d: Uint8Array, toServer: boolean): string {
  if (d.length === 0) return '';
  if (d.length >= 3 && d[0] === 22 && d[1] === 3 && d[2] <= 4) return 'tls';
  if (startsWith(d, SSH_DASH, false)) return 'ssh';
  if (startsWith(d, HTTP_SLASH, false)) return 'http';
  if (toServer) {
    for (const m of METHODS) {
      if (startsWith(d, m, true) && (d.length === m.length || d[m.length] === 0x20 || d[m.length] === 0x09))
        return 'http';
    }
  }
  return '';
}
