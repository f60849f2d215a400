/**
 * The TLS handshake of one TCP flow, across segments: per direction, the record layer is cut
 * into records, handshake records are joined into handshake messages (a message may span
 * records, a record may hold several), and the messages Suricata logs are kept: the
 * ClientHello (SNI, version, JA3 inputs), the ServerHello (negotiated version, cipher) and the
 * server's first certificate. A ChangeCipherSpec or application data ends a direction's
 * clear-text handshake.
 */
import { parseTlsClientHello, type TlsClientHello } from '../../../packet/layers/tls.js';

/** A record or handshake message larger than this is not followed (TLS caps records at 16 KiB + 2 KiB). */
const MAX_BUFFER = 256 * 1024;

/** What a feed of bytes brought. */
export const TlsEvent = {
  CLIENT_HELLO: 1,
  SERVER_HELLO: 2,
  CERTIFICATE: 4,
  /** The direction switched to encrypted records (ChangeCipherSpec or application data). */
  ENCRYPTED: 8,
} as const;

export interface TlsServerHello {
  /** legacy_version, or supported_versions' choice (TLS 1.3). */
  version: number;
  cipherSuite: number;
  /** Extension types in order (JA3S). */
  extensions: number[];
}

export class TlsHandshake {
  /** Flow the state belongs to (states are reused across flows). */
  flowId = 0;
  clientHello: TlsClientHello | null = null;
  serverHello: TlsServerHello | null = null;
  /** DER of the server's first certificate. */
  certificate: Uint8Array | null = null;
  /** Each direction's handshake turned encrypted. */
  readonly encrypted = [false, false];
  private readonly records: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];
  private readonly messages: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];
  /** The direction's bytes are not TLS records: nothing more is parsed. */
  private readonly broken = [false, false];

  reset(flowId: number): void {
    this.flowId = flowId;
    this.clientHello = null;
    this.serverHello = null;
    this.certificate = null;
    for (let d = 0; d < 2; d++) {
      this.encrypted[d] = false;
      this.records[d] = EMPTY;
      this.messages[d] = EMPTY;
      this.broken[d] = false;
    }
  }

  /** Adds in-order bytes of one direction; returns the OR of the `TlsEvent`s they completed. */
  feed(toServer: boolean, data: Uint8Array): number {
    const dir = toServer ? 0 : 1;
    // an encrypted direction has nothing more to give: its records are not followed (no copies
    // of bulk data)
    if (this.broken[dir] || this.encrypted[dir]) return 0;
    const buf = join(this.records[dir], data);
    let events = 0;
    let o = 0;
    while (o + 5 <= buf.length) {
      const type = buf[o];
      if (buf[o + 1] !== 3 && !(buf[o + 1] === 2 && buf[o + 2] === 0)) {
        this.broken[dir] = true;
        break;
      }
      const len = (buf[o + 3] << 8) | buf[o + 4];
      if (o + 5 + len > buf.length) break;
      const body = buf.subarray(o + 5, o + 5 + len);
      o += 5 + len;
      if (type === 22 && !this.encrypted[dir]) events |= this.handshake(dir, body);
      else if (type === 20 || type === 23) {
        events |= TlsEvent.ENCRYPTED;
        this.encrypted[dir] = true;
        break;
      }
    }
    const rest = buf.length - o;
    this.records[dir] =
      !this.broken[dir] && !this.encrypted[dir] && rest > 0 && rest <= MAX_BUFFER ? buf.slice(o) : EMPTY;
    return events;
  }

  private handshake(dir: number, body: Uint8Array): number {
    const buf = join(this.messages[dir], body);
    let events = 0;
    let o = 0;
    while (o + 4 <= buf.length) {
      const type = buf[o];
      const len = (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
      if (o + 4 + len > buf.length) break;
      const msg = buf.subarray(o, o + 4 + len);
      o += 4 + len;
      if (type === 1 && dir === 0 && this.clientHello === null) {
        const h = clientHello(msg);
        if (h !== null) {
          this.clientHello = h;
          events |= TlsEvent.CLIENT_HELLO;
        }
      } else if (type === 2 && dir === 1 && this.serverHello === null) {
        const h = serverHello(msg);
        if (h !== null) {
          this.serverHello = h;
          events |= TlsEvent.SERVER_HELLO;
        }
      } else if (type === 11 && dir === 1 && this.certificate === null) {
        const c = firstCertificate(msg);
        if (c !== null) {
          this.certificate = c;
          events |= TlsEvent.CERTIFICATE;
        }
      }
    }
    const rest = buf.length - o;
    this.messages[dir] = rest > 0 && rest <= MAX_BUFFER ? buf.slice(o) : EMPTY;
    return events;
  }
}

const EMPTY = new Uint8Array(0);

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Parses a whole ClientHello message (handshake header included) with the packet layer's parser. */
function clientHello(msg: Uint8Array): TlsClientHello | null {
  if (msg.length > 0xffff) return null;
  const rec = new Uint8Array(5 + msg.length);
  rec[0] = 22;
  rec[1] = 3;
  rec[2] = 1;
  rec[3] = msg.length >>> 8;
  rec[4] = msg.length & 0xff;
  rec.set(msg, 5);
  return parseTlsClientHello(rec, 0, rec.length);
}

/** A ServerHello message: version (supported_versions wins), cipher suite, extension types. */
export function serverHello(msg: Uint8Array): TlsServerHello | null {
  const end = msg.length;
  if (end < 4 + 2 + 32 + 1) return null;
  let o = 4;
  let version = (msg[o] << 8) | msg[o + 1];
  o += 2 + 32;
  o += 1 + msg[o];
  if (o + 3 > end) return null;
  const cipherSuite = (msg[o] << 8) | msg[o + 1];
  o += 3;
  const extensions: number[] = [];
  if (o + 2 <= end) {
    const extEnd = Math.min(end, o + 2 + ((msg[o] << 8) | msg[o + 1]));
    o += 2;
    while (o + 4 <= extEnd) {
      const type = (msg[o] << 8) | msg[o + 1];
      const len = (msg[o + 2] << 8) | msg[o + 3];
      extensions.push(type);
      if (type === 43 && len === 2 && o + 6 <= extEnd) version = (msg[o + 4] << 8) | msg[o + 5];
      o += 4 + len;
    }
  }
  return { version, cipherSuite, extensions };
}

/** The first certificate's DER of a Certificate message (TLS 1.2 layout; 1.3's is encrypted). */
function firstCertificate(msg: Uint8Array): Uint8Array | null {
  // header (4), certificate_list length (3), then entries of length (3) + DER
  if (msg.length < 4 + 3 + 3) return null;
  const len = (msg[7] << 16) | (msg[8] << 8) | msg[9];
  if (len === 0 || 10 + len > msg.length) return null;
  return msg.slice(10, 10 + len);
}
