/**
 * The few X.509 certificate fields Suricata logs, read straight from the DER (RFC 5280
 * 4.1): serial number, issuer and subject names, validity. Names are written as Suricata's
 * x509 parser prints them: relative names joined by ", ", each `SHORT=value` with no escaping.
 * A pure parser: it never throws and returns null when the structure is not a certificate.
 */

export interface X509Fields {
  /** Raw bytes of the serialNumber INTEGER. */
  serial: Uint8Array;
  issuer: string;
  subject: string;
  /** Validity as `YYYY-MM-DDTHH:MM:SS` (UTC). */
  notBefore: string;
  notAfter: string;
}

/** Short names of attribute types, as OpenSSL and Suricata's parser print them. */
const ATTR_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.46': 'dnQualifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'Email',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

interface Tlv {
  tag: number;
  /** Offset of the value. */
  start: number;
  /** End of the value. */
  end: number;
}

/** The TLV at `o`, or null when it runs past `limit`. */
function tlv(b: Uint8Array, o: number, limit: number): Tlv | null {
  if (o + 2 > limit) return null;
  const tag = b[o];
  let len = b[o + 1];
  let p = o + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, start: p, end: p + len };
}

function oidText(b: Uint8Array, t: Tlv): string {
  if (t.end <= t.start) return '';
  const first = b[t.start];
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let v = 0;
  for (let i = t.start + 1; i < t.end; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if ((b[i] & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf16 = new TextDecoder('utf-16be', { fatal: false });

function stringValue(b: Uint8Array, t: Tlv): string {
  const v = b.subarray(t.start, t.end);
  // BMPString (0x1e) is UTF-16; the other string types are ASCII subsets or UTF-8
  return t.tag === 0x1e ? utf16.decode(v) : utf8.decode(v);
}

/** A Name (SEQUENCE OF SET OF AttributeTypeAndValue) as text. */
function nameText(b: Uint8Array, name: Tlv): string | null {
  const out: string[] = [];
  let o = name.start;
  while (o < name.end) {
    const set = tlv(b, o, name.end);
    if (set === null || set.tag !== 0x31) return null;
    let p = set.start;
    while (p < set.end) {
      const atv = tlv(b, p, set.end);
      if (atv === null || atv.tag !== 0x30) return null;
      const oid = tlv(b, atv.start, atv.end);
      if (oid === null || oid.tag !== 0x06) return null;
      const val = tlv(b, oid.end, atv.end);
      if (val === null) return null;
      const id = oidText(b, oid);
      out.push(`${ATTR_NAMES[id] ?? id}=${stringValue(b, val)}`);
      p = atv.end;
    }
    o = set.end;
  }
  return out.join(', ');
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as `YYYY-MM-DDTHH:MM:SS`. */
function timeText(b: Uint8Array, t: Tlv): string | null {
  const s = String.fromCharCode(...b.subarray(t.start, t.end));
  const utc = t.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s) : null;
  if (utc !== null) {
    const m = utc;
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  }
  const m = t.tag === 0x18 ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.\d+)?Z$/.exec(s) : null;
  if (m !== null) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  return null;
}

/** Reads the logged fields of a DER certificate, or null. */
export function parseX509(der: Uint8Array): X509Fields | null {
  const cert = tlv(der, 0, der.length);
  if (cert === null || cert.tag !== 0x30) return null;
  const tbs = tlv(der, cert.start, cert.end);
  if (tbs === null || tbs.tag !== 0x30) return null;
  let f = tlv(der, tbs.start, tbs.end);
  if (f !== null && f.tag === 0xa0) f = tlv(der, f.end, tbs.end);
  if (f === null || f.tag !== 0x02) return null;
  const serial = der.subarray(f.start, f.end);
  const sigAlg = tlv(der, f.end, tbs.end);
  if (sigAlg === null) return null;
  const issuerT = tlv(der, sigAlg.end, tbs.end);
  if (issuerT === null || issuerT.tag !== 0x30) return null;
  const validity = tlv(der, issuerT.end, tbs.end);
  if (validity === null || validity.tag !== 0x30) return null;
  const nb = tlv(der, validity.start, validity.end);
  const na = nb === null ? null : tlv(der, nb.end, validity.end);
  const subjectT = tlv(der, validity.end, tbs.end);
  if (nb === null || na === null || subjectT === null || subjectT.tag !== 0x30) return null;
  const issuer = nameText(der, issuerT);
  const subject = nameText(der, subjectT);
  const notBefore = timeText(der, nb);
  const notAfter = timeText(der, na);
  if (issuer === null || subject === null || notBefore === null || notAfter === null) return null;
  return { serial, issuer, subject, notBefore, notAfter };
}
