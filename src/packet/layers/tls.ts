/**
 * TLS ClientHello (RFC 8446 4.1.2) at the start of a TCP segment: the record and handshake
 * headers, client version, cipher suites, and the extensions detectors use — server name (SNI),
 * ALPN, supported versions, supported groups and EC point formats (the JA3 inputs). Parsing is
 * best effort within the segment: a hello split over segments yields what the first one holds.
 */

export interface TlsClientHello {
  /** Record layer version (0x0301 for most hellos). */
  recordVersion: number;
  /** legacy_version of the hello (0x0303 for TLS 1.2 and 1.3). */
  version: number;
  cipherSuites: number[];
  /** Extension types in order. */
  extensions: number[];
  /** server_name (host_name entry), or '' when absent. */
  serverName: string;
  /** ALPN protocol names in order (h2, http/1.1...). */
  alpn: string[];
  /** supported_versions (TLS 1.3 offers 0x0304 here). */
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  /** Every byte of the hello was in the segment. */
  complete: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Records skipped before the handshake (a TLS 1.3 retry hello follows a ChangeCipherSpec). */
const MAX_RECORDS_BEFORE = 4;

export function parseTlsClientHello(buf: Uint8Array, off: number, len: number): TlsClientHello | null {
  const b = buf;
  const end = off + len;
  const u16 = (o: number) => (b[o] << 8) | b[o + 1];
  // records: type (20 change cipher spec, 21 alert, 22 handshake, 23 data), version 3.x, length
  for (let n = 0; ; n++) {
    if (end - off < 5 || b[off + 1] !== 3 || b[off + 2] > 4) return null;
    const type = b[off];
    if (type === 22) break;
    if ((type !== 20 && type !== 21) || n >= MAX_RECORDS_BEFORE) return null;
    off += 5 + u16(off + 3);
  }
  // handshake: type 1 (client_hello), 24-bit length
  if (end - off < 9 || b[off + 5] !== 1) return null;
  const hsLen = (b[off + 6] << 16) | (b[off + 7] << 8) | b[off + 8];
  const hsEnd = off + 9 + hsLen;
  const lim = Math.min(hsEnd, end);
  const hello: TlsClientHello = {
    recordVersion: u16(off + 1),
    version: 0,
    cipherSuites: [],
    extensions: [],
    serverName: '',
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    complete: false,
  };
  let o = off + 9;
  if (lim - o < 2 + 32 + 1) return hello;
  hello.version = u16(o);
  o += 2 + 32;
  o += 1 + b[o]; // session id
  if (lim - o < 2) return hello;
  const csLen = u16(o);
  o += 2;
  for (let i = 0; i + 1 < csLen && o + i + 1 < lim; i += 2) hello.cipherSuites.push(u16(o + i));
  o += csLen;
  if (lim - o < 1) return hello;
  o += 1 + b[o]; // compression methods
  if (lim - o < 2) {
    hello.complete = o === hsEnd && hsEnd <= end;
    return hello;
  }
  const extEnd = o + 2 + u16(o);
  o += 2;
  while (o + 4 <= lim && o + 4 <= extEnd) {
    const type = u16(o);
    const elen = u16(o + 2);
    const d = o + 4;
    hello.extensions.push(type);
    if (d + elen > lim) break;
    switch (type) {
      case 0: {
        // server_name_list: (type u8, length u16, name)*
        let i = d + 2;
        while (i + 3 <= d + elen) {
          const nlen = u16(i + 1);
          if (b[i] === 0 && i + 3 + nlen <= d + elen) {
            hello.serverName = utf8.decode(b.subarray(i + 3, i + 3 + nlen));
            break;
          }
          i += 3 + nlen;
        }
        break;
      }
      case 16: {
        let i = d + 2;
        while (i < d + elen) {
          const plen = b[i];
          if (i + 1 + plen > d + elen) break;
          hello.alpn.push(utf8.decode(b.subarray(i + 1, i + 1 + plen)));
          i += 1 + plen;
        }
        break;
      }
      case 10:
        for (let i = d + 2; i + 1 < d + elen; i += 2) hello.supportedGroups.push(u16(i));
        break;
      case 11:
        for (let i = d + 1; i < d + elen && i <= d + b[d]; i++) hello.ecPointFormats.push(b[i]);
        break;
      case 43:
        for (let i = d + 1; i + 1 < d + elen && i < d + 1 + b[d]; i += 2)
          hello.supportedVersions.push(u16(i));
        break;
    }
    o = d + elen;
  }
  hello.complete = hsEnd <= end && o >= extEnd;
  return hello;
}
