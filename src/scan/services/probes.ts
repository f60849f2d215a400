/**
 * Active probes: what to send to a service that does not speak first. Each probe is a valid
 * request of its protocol, chosen so that the answer names the product (and, where the protocol
 * allows it without credentials, the version). Built from the protocol specifications.
 */
import { dnsVersionQuery } from '../ports/udp/probes.js';

export type ProbeName =
  | 'null'
  | 'http'
  | 'tls-null'
  | 'tls-http'
  | 'redis'
  | 'memcached'
  | 'postgres'
  | 'dns-version';

export interface ActiveProbe {
  name: ProbeName;
  /** The request; `host` is the target as given (for HTTP's Host header). */
  payload(host: string): Buffer;
  /** Turns the raw answer into what signatures read (e.g. drops DNS-over-TCP's length prefix). */
  decode?(answer: Buffer): Buffer;
  /** Ports where this probe should go first. */
  ports: readonly number[];
}

/** HTTP/1.0 GET of `/` (RFC 9110/9112); 1.0 so that servers close after answering. */
export function httpGet(host: string): Buffer {
  const h = host.includes(':') ? `[${host}]` : host;
  return Buffer.from(`GET / HTTP/1.0\r\nHost: ${h}\r\nUser-Agent: Sentra-scan\r\nAccept: */*\r\n\r\n`);
}

export const ACTIVE_PROBES: readonly ActiveProbe[] = [
  {
    name: 'http',
    payload: httpGet,
    ports: [80, 81, 591, 3000, 5000, 8000, 8008, 8080, 8081, 8082, 8088, 8888, 9000, 9090, 3128, 8118],
  },
  {
    // RESP array "INFO server" (redis.io protocol spec); answered without auth on default setups
    name: 'redis',
    payload: () => Buffer.from('*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'),
    ports: [6379, 6380, 16379, 26379],
  },
  {
    // SSLRequest (PostgreSQL protocol, message flow 55.2.10): length 8, code 80877103
    name: 'postgres',
    payload: () => Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
    ports: [5432, 5433],
  },
  {
    // RFC 1035 section 4.2.2: DNS over TCP is the message prefixed by its 2-byte length
    name: 'dns-version',
    payload: () => {
      const q = dnsVersionQuery();
      const len = Buffer.from([q.length >> 8, q.length & 0xff]);
      return Buffer.concat([len, q]);
    },
    decode: (a) => (a.length > 2 ? a.subarray(2) : a),
    ports: [53, 5353],
  },
  {
    name: 'memcached',
    payload: () => Buffer.from('version\r\n'),
    ports: [11211],
  },
];

/** Ports where TLS is expected from the first byte (implicit TLS). */
export const TLS_PORTS: ReadonlySet<number> = new Set([
  443, 465, 563, 636, 853, 990, 992, 993, 995, 2376, 4443, 5061, 5671, 5986, 6443, 6697, 8443, 8883, 9443,
  10250, 10443,
]);

/** Service names for a protocol carried in TLS. */
export const TLS_SERVICE_NAMES: Readonly<Record<string, string>> = {
  http: 'https',
  'http-proxy': 'https-proxy',
  imap: 'imaps',
  pop3: 'pop3s',
  smtp: 'smtps',
  ftp: 'ftps',
  ldap: 'ldaps',
  domain: 'domain-s',
};
