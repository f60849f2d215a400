/**
 * What a custom rule pattern can name: fields (with the phrases that spell them, so that the
 * spec's `HTTP method` and `user-agent` read as written), event phrases (`failed SSH login`,
 * `connections`) and the event kinds a field exists on. A rule is evaluated on one kind of event:
 * a packet, a new connection, an HTTP request, an HTTP response or a failed login.
 */
import type { HttpHeader, HttpRequestView, HttpResponseView } from '../../ids/match/http-buffers.js';
import type { Packet } from '../../packet/packet.js';
import { AUTH_SERVICES } from '../auth-events.js';

export const EventKind = {
  PACKET: 0,
  CONNECTION: 1,
  HTTP_REQUEST: 2,
  HTTP_RESPONSE: 3,
  LOGIN_FAILURE: 4,
} as const;
export type EventKindId = (typeof EventKind)[keyof typeof EventKind];
export const EVENT_KIND_NAMES = ['packet', 'new connection', 'HTTP request', 'HTTP response', 'failed login'];

/** One event as rules see it (reused: valid during the evaluation only). */
export interface MatchContext {
  kind: EventKindId;
  /** Source and destination address keys (uint32 IPv4, text IPv6) and ports. */
  src: number | string;
  dst: number | string;
  srcPort: number;
  dstPort: number;
  proto: number;
  pkt: Packet | null;
  req: HttpRequestView | null;
  resp: HttpResponseView | null;
  /** Service of a failed login (ssh, ftp, http...). */
  service: string;
  timeUs: number;
  flowId: number;
}

export type FieldType = 'text' | 'number' | 'ip';
export type FieldValue = string | number | null;

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Phrases that spell the field (lower case words). */
  spellings: string[][];
  /** Event kinds that have the field. */
  kinds: readonly EventKindId[];
  get(ctx: MatchContext): FieldValue;
}

const ALL: EventKindId[] = [0, 1, 2, 3, 4];
const HTTP: EventKindId[] = [EventKind.HTTP_REQUEST, EventKind.HTTP_RESPONSE];
const PKT: EventKindId[] = [EventKind.PACKET, EventKind.CONNECTION];

const txt = (v: Uint8Array | string | undefined): string | null =>
  v === undefined ? null : typeof v === 'string' ? v : Buffer.from(v).toString('latin1');

function header(hs: readonly HttpHeader[] | undefined, name: string): string | null {
  if (hs === undefined) return null;
  let out: string | null = null;
  for (const h of hs) {
    if (txt(h.name)?.toLowerCase() === name)
      out = out === null ? (txt(h.value) ?? '') : `${out}, ${txt(h.value)}`;
  }
  return out;
}

const sp = (...phrases: string[]): string[][] => phrases.map((p) => p.split(' '));

const reqHeader = (name: string) => (c: MatchContext) => header(c.req?.headers, name);

export const FIELDS: readonly FieldDef[] = [
  {
    name: 'http.method',
    type: 'text',
    spellings: sp('http.method', 'http method', 'request method', 'method'),
    kinds: HTTP,
    get: (c) => txt(c.req?.method),
  },
  {
    name: 'http.uri',
    type: 'text',
    spellings: sp('http.uri', 'http uri', 'http url', 'uri', 'url'),
    kinds: HTTP,
    get: (c) => txt(c.req?.rawUri),
  },
  {
    name: 'http.user_agent',
    type: 'text',
    spellings: sp(
      'http.user_agent',
      'user-agent',
      'user_agent',
      'useragent',
      'user agent',
      'http user-agent',
      'http user agent',
    ),
    kinds: HTTP,
    get: reqHeader('user-agent'),
  },
  {
    name: 'http.host',
    type: 'text',
    spellings: sp('http.host', 'http host', 'host'),
    kinds: HTTP,
    get: reqHeader('host'),
  },
  {
    name: 'http.referer',
    type: 'text',
    spellings: sp('http.referer', 'referer', 'referrer'),
    kinds: HTTP,
    get: reqHeader('referer'),
  },
  {
    name: 'http.cookie',
    type: 'text',
    spellings: sp('http.cookie', 'cookie'),
    kinds: HTTP,
    get: reqHeader('cookie'),
  },
  {
    name: 'http.content_type',
    type: 'text',
    spellings: sp('http.content_type', 'content-type', 'content type'),
    kinds: HTTP,
    get: reqHeader('content-type'),
  },
  {
    name: 'http.header',
    type: 'text',
    spellings: sp('http.header', 'http headers', 'headers'),
    kinds: HTTP,
    get: (c) => (c.req ? c.req.headers.map((h) => `${txt(h.name)}: ${txt(h.value)}`).join('\r\n') : null),
  },
  {
    name: 'http.body',
    type: 'text',
    spellings: sp('http.body', 'request body', 'body'),
    kinds: HTTP,
    get: (c) => txt(c.req?.body),
  },
  {
    name: 'http.status',
    type: 'number',
    spellings: sp('http.status', 'http status code', 'http status', 'status code', 'status'),
    kinds: [EventKind.HTTP_RESPONSE],
    get: (c) => (c.resp ? Number(txt(c.resp.statusCode)) : null),
  },
  {
    name: 'src_ip',
    type: 'ip',
    spellings: sp('src_ip', 'source ip', 'src ip', 'source', 'src', 'client'),
    kinds: ALL,
    get: (c) => c.src,
  },
  {
    name: 'dst_ip',
    type: 'ip',
    spellings: sp('dst_ip', 'dest_ip', 'destination ip', 'dst ip', 'destination', 'dst', 'server'),
    kinds: ALL,
    get: (c) => c.dst,
  },
  {
    name: 'src_port',
    type: 'number',
    spellings: sp('src_port', 'source port', 'src port'),
    kinds: ALL,
    get: (c) => c.srcPort,
  },
  {
    name: 'dst_port',
    type: 'number',
    spellings: sp('dst_port', 'dest_port', 'destination port', 'dst port', 'port'),
    kinds: ALL,
    get: (c) => c.dstPort,
  },
  {
    name: 'protocol',
    type: 'text',
    spellings: sp('protocol', 'proto'),
    kinds: ALL,
    get: (c) => PROTO_NAMES[c.proto] ?? String(c.proto),
  },
  {
    name: 'service',
    type: 'text',
    spellings: sp('service'),
    kinds: [EventKind.LOGIN_FAILURE],
    get: (c) => c.service,
  },
  {
    name: 'payload',
    type: 'text',
    spellings: sp('payload', 'packet payload', 'data'),
    kinds: PKT,
    get: (c) =>
      c.pkt
        ? Buffer.from(
            c.pkt.buf.buffer,
            c.pkt.buf.byteOffset + c.pkt.payloadOffset,
            c.pkt.payloadCapLen,
          ).toString('latin1')
        : null,
  },
  {
    name: 'length',
    type: 'number',
    spellings: sp('length', 'packet length', 'packet size', 'size'),
    kinds: PKT,
    get: (c) => (c.pkt ? c.pkt.ipLen : null),
  },
  {
    name: 'dns.query',
    type: 'text',
    spellings: sp('dns.query', 'dns query', 'dns name', 'domain'),
    kinds: [EventKind.PACKET],
    get: (c) => dnsQuery(c.pkt),
  },
  {
    name: 'tls.sni',
    type: 'text',
    spellings: sp('tls.sni', 'tls sni', 'sni', 'server name'),
    kinds: [EventKind.PACKET, EventKind.CONNECTION],
    get: (c) => c.pkt?.tlsClientHello()?.serverName || null,
  },
];

function dnsQuery(p: Packet | null): string | null {
  const m = p?.dns();
  if (!m || m.questions.length === 0) return null;
  return m.questions[0].name;
}

export const PROTO_NAMES: Record<number, string> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  58: 'icmpv6',
  132: 'sctp',
};

/** Services a failed-login phrase may name (`failed SSH login`): the auth ports' services and http. */
export const LOGIN_SERVICES = new Set([...Object.values(AUTH_SERVICES), 'http', 'postgres']);

/** The longest field spelling at `words[i...]`, with how many words it took. */
export function matchField(words: readonly string[], i: number): { field: FieldDef; used: number } | null {
  let best: { field: FieldDef; used: number } | null = null;
  for (const f of FIELDS) {
    for (const s of f.spellings) {
      if (s.length <= (best?.used ?? 0) || i + s.length > words.length) continue;
      let ok = true;
      for (let k = 0; k < s.length && ok; k++) ok = words[i + k] === s[k];
      if (ok) best = { field: f, used: s.length };
    }
  }
  return best;
}
