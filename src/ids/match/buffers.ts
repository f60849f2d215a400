/**
 * The inspection buffers a rule can look into, and the object the engine fills with them.
 *
 * Every buffer has a small integer id (its index in {@link BUFFERS}) so that compiled rules,
 * prefilters and the engine's {@link BufferSet} index plain arrays instead of maps. A buffer
 * is either request-side (`toserver`), response-side (`toclient`) or both: for the "both"
 * buffers (http.header, file.data...) the engine fills a request and a response instance
 * separately, and a rule reads the side given by its `flow:` direction, or either side when
 * the rule has none (as Suricata registers both inspect engines then).
 */

/** Which side of a transaction a buffer comes from. */
export type BufferDirection = 'toserver' | 'toclient' | 'both';

/** Static description of one inspection buffer. */
export interface BufferDef {
  /** Index in {@link BUFFERS}. */
  readonly id: number;
  /** Suricata's sticky-buffer name (`http.uri`). */
  readonly name: string;
  readonly dir: BufferDirection;
  /** True when a transaction can hold several instances (each DNS query, each certificate). */
  readonly multi: boolean;
  /** The app-layer protocol the buffer belongs to, or null for packet buffers. */
  readonly appProto: string | null;
  /** What the engine must put in it (documentation; also printed by `rules check --json`). */
  readonly fill: string;
}

interface BufferSpec {
  name: string;
  dir: BufferDirection;
  multi?: boolean;
  appProto: string | null;
  fill: string;
  /** Other sticky-buffer names for the same buffer (`file_data`, `dns_query`). */
  stickyAliases?: string[];
  /** Legacy content-modifier names that move the previous content here (`http_uri`). */
  modifiers?: string[];
  /** pcre flag letter selecting this buffer (`U`). */
  pcreFlag?: string;
}

const SPECS: BufferSpec[] = [
  {
    name: 'pkt_data',
    dir: 'both',
    appProto: null,
    fill: 'the packet payload, or a chunk of the reassembled TCP stream (see DetectInput.payloadIsStream)',
  },
  {
    name: 'http.uri',
    dir: 'toserver',
    appProto: 'http',
    fill: 'normalized request URI (percent-decoded, path normalized), as libhtp builds it',
    modifiers: ['http_uri'],
    pcreFlag: 'U',
  },
  {
    name: 'http.uri.raw',
    dir: 'toserver',
    appProto: 'http',
    fill: 'request URI exactly as on the request line',
    modifiers: ['http_raw_uri'],
    pcreFlag: 'I',
  },
  {
    name: 'http.method',
    dir: 'toserver',
    appProto: 'http',
    fill: 'request method',
    modifiers: ['http_method'],
    pcreFlag: 'M',
  },
  {
    name: 'http.request_line',
    dir: 'toserver',
    appProto: 'http',
    fill: 'request line without CRLF',
    stickyAliases: ['http_request_line'],
  },
  {
    name: 'http.protocol',
    dir: 'both',
    appProto: 'http',
    fill: 'protocol field of the request or status line (HTTP/1.1)',
    stickyAliases: ['http_protocol'],
  },
  {
    name: 'http.start',
    dir: 'both',
    appProto: 'http',
    fill: 'request or status line, CRLF, the raw header lines and the empty line ending the headers',
    stickyAliases: ['http_start'],
  },
  {
    name: 'http.header',
    dir: 'both',
    appProto: 'http',
    fill: '"Name: value\\r\\n" for every header except Cookie/Set-Cookie, trailing whitespace trimmed',
    modifiers: ['http_header'],
    pcreFlag: 'H',
  },
  {
    name: 'http.header.raw',
    dir: 'both',
    appProto: 'http',
    fill: 'header block exactly as received, ending with the empty line',
    modifiers: ['http_raw_header'],
    pcreFlag: 'D',
  },
  {
    name: 'http.header_names',
    dir: 'both',
    appProto: 'http',
    fill: '"\\r\\n" then each header name followed by "\\r\\n", then a final "\\r\\n"',
    stickyAliases: ['http_header_names'],
  },
  {
    name: 'http.cookie',
    dir: 'both',
    appProto: 'http',
    fill: 'value of Cookie (request) or Set-Cookie (response) headers',
    modifiers: ['http_cookie'],
    pcreFlag: 'C',
  },
  {
    name: 'http.user_agent',
    dir: 'toserver',
    appProto: 'http',
    fill: 'value of User-Agent; several headers joined with ", "',
    modifiers: ['http_user_agent'],
    pcreFlag: 'V',
  },
  {
    name: 'http.host',
    dir: 'toserver',
    appProto: 'http',
    fill: 'hostname from the URI or Host header, lower-cased, without port',
    modifiers: ['http_host'],
    pcreFlag: 'W',
  },
  {
    name: 'http.host.raw',
    dir: 'toserver',
    appProto: 'http',
    fill: 'Host header value as received',
    modifiers: ['http_raw_host'],
    pcreFlag: 'Z',
  },
  {
    name: 'http.accept',
    dir: 'toserver',
    appProto: 'http',
    fill: 'value of Accept',
    stickyAliases: ['http_accept'],
  },
  {
    name: 'http.accept_enc',
    dir: 'toserver',
    appProto: 'http',
    fill: 'value of Accept-Encoding',
    stickyAliases: ['http_accept_enc'],
  },
  {
    name: 'http.accept_lang',
    dir: 'toserver',
    appProto: 'http',
    fill: 'value of Accept-Language',
    stickyAliases: ['http_accept_lang'],
  },
  {
    name: 'http.connection',
    dir: 'toserver',
    appProto: 'http',
    fill: 'value of Connection',
    stickyAliases: ['http_connection'],
  },
  {
    name: 'http.content_type',
    dir: 'both',
    appProto: 'http',
    fill: 'value of Content-Type',
    stickyAliases: ['http_content_type'],
  },
  {
    name: 'http.content_len',
    dir: 'both',
    appProto: 'http',
    fill: 'value of Content-Length',
    stickyAliases: ['http_content_len'],
  },
  {
    name: 'http.referer',
    dir: 'toserver',
    appProto: 'http',
    fill: 'value of Referer',
    stickyAliases: ['http_referer'],
  },
  {
    name: 'http.location',
    dir: 'toclient',
    appProto: 'http',
    fill: 'value of Location',
    stickyAliases: ['http_location'],
  },
  {
    name: 'http.server',
    dir: 'toclient',
    appProto: 'http',
    fill: 'value of Server',
    stickyAliases: ['http_server'],
  },
  {
    name: 'http.request_body',
    dir: 'toserver',
    appProto: 'http',
    fill: 'request body, de-chunked (and decompressed when the engine does so)',
    stickyAliases: ['http.client_body'],
    modifiers: ['http_client_body'],
    pcreFlag: 'P',
  },
  {
    name: 'http.response_body',
    dir: 'toclient',
    appProto: 'http',
    fill: 'response body, de-chunked and decompressed (gzip/deflate)',
    stickyAliases: ['http.server_body'],
    modifiers: ['http_server_body'],
    pcreFlag: 'Q',
  },
  {
    name: 'file.data',
    dir: 'both',
    appProto: null,
    fill: 'HTTP: response body (toclient) or request body (toserver), de-chunked and decompressed',
    stickyAliases: ['file_data'],
  },
  {
    name: 'http.stat_code',
    dir: 'toclient',
    appProto: 'http',
    fill: 'the three status code digits',
    modifiers: ['http_stat_code'],
    pcreFlag: 'S',
  },
  {
    name: 'http.stat_msg',
    dir: 'toclient',
    appProto: 'http',
    fill: 'status reason phrase',
    modifiers: ['http_stat_msg'],
    pcreFlag: 'Y',
  },
  {
    name: 'http.response_line',
    dir: 'toclient',
    appProto: 'http',
    fill: 'status line without CRLF',
    stickyAliases: ['http_response_line'],
  },
  {
    name: 'dns.query',
    dir: 'toserver',
    multi: true,
    appProto: 'dns',
    fill: 'each query name of a DNS request, dotted, without the final dot (one instance per query)',
    stickyAliases: ['dns_query'],
  },
  {
    name: 'tls.sni',
    dir: 'toserver',
    appProto: 'tls',
    fill: 'server_name extension of the ClientHello',
    stickyAliases: ['tls_sni'],
  },
  {
    name: 'tls.cert_subject',
    dir: 'toclient',
    appProto: 'tls',
    fill: 'subject of the server certificate as Suricata prints it ("C=US, O=..., CN=...")',
    stickyAliases: ['tls_cert_subject'],
  },
  {
    name: 'tls.cert_issuer',
    dir: 'toclient',
    appProto: 'tls',
    fill: 'issuer of the server certificate, same format as the subject',
    stickyAliases: ['tls_cert_issuer'],
  },
  {
    name: 'tls.cert_serial',
    dir: 'toclient',
    appProto: 'tls',
    fill: 'serial of the server certificate as upper-case hex bytes joined by ":"',
    stickyAliases: ['tls_cert_serial'],
  },
  {
    name: 'tls.cert_fingerprint',
    dir: 'toclient',
    appProto: 'tls',
    fill: 'SHA-1 of the server certificate as lower-case hex bytes joined by ":"',
    stickyAliases: ['tls_cert_fingerprint'],
  },
  {
    name: 'tls.certs',
    dir: 'toclient',
    multi: true,
    appProto: 'tls',
    fill: 'each DER certificate of the server Certificate message (one instance per certificate)',
  },
  {
    name: 'ja3.hash',
    dir: 'toserver',
    appProto: 'tls',
    fill: 'JA3 MD5 of the ClientHello, 32 lower-case hex characters',
    stickyAliases: ['ja3_hash'],
  },
  {
    name: 'ja3.string',
    dir: 'toserver',
    appProto: 'tls',
    fill: 'JA3 string of the ClientHello',
    stickyAliases: ['ja3_string'],
  },
  {
    name: 'ja3s.hash',
    dir: 'toclient',
    appProto: 'tls',
    fill: 'JA3S MD5 of the ServerHello',
    stickyAliases: ['ja3s_hash'],
  },
  {
    name: 'ja3s.string',
    dir: 'toclient',
    appProto: 'tls',
    fill: 'JA3S string of the ServerHello',
    stickyAliases: ['ja3s_string'],
  },
  {
    name: 'ssh.proto',
    dir: 'both',
    appProto: 'ssh',
    fill: 'protocol version from the SSH banner ("2.0")',
    stickyAliases: ['ssh_proto'],
  },
  {
    name: 'ssh.software',
    dir: 'both',
    appProto: 'ssh',
    fill: 'software version from the SSH banner ("OpenSSH_8.4")',
    stickyAliases: ['ssh_software'],
  },
  {
    name: 'tcp.hdr',
    dir: 'both',
    appProto: null,
    fill: 'the TCP header including options',
  },
  {
    name: 'udp.hdr',
    dir: 'both',
    appProto: null,
    fill: 'the 8-byte UDP header',
  },
  {
    name: 'ipv4.hdr',
    dir: 'both',
    appProto: null,
    fill: 'the IPv4 header including options',
  },
];

/** All buffers, indexed by id. */
export const BUFFERS: readonly BufferDef[] = SPECS.map((s, id) => ({
  id,
  name: s.name,
  dir: s.dir,
  multi: s.multi ?? false,
  appProto: s.appProto,
  fill: s.fill,
}));

/** Number of buffer ids; arrays indexed by buffer id have this length. */
export const BUFFER_COUNT = BUFFERS.length;

const byName = new Map<string, number>();
const bySticky = new Map<string, number>();
const byModifier = new Map<string, number>();
const byPcreFlag = new Map<string, number>();
SPECS.forEach((s, id) => {
  byName.set(s.name, id);
  bySticky.set(s.name, id);
  for (const a of s.stickyAliases ?? []) bySticky.set(a, id);
  for (const m of s.modifiers ?? []) byModifier.set(m, id);
  if (s.pcreFlag) byPcreFlag.set(s.pcreFlag, id);
});

/** Well-known ids used by code (the rest are looked up by name). */
export const BufferId = {
  PKT_DATA: byName.get('pkt_data')!,
  HTTP_URI: byName.get('http.uri')!,
  HTTP_URI_RAW: byName.get('http.uri.raw')!,
  HTTP_REQUEST_BODY: byName.get('http.request_body')!,
  HTTP_RESPONSE_BODY: byName.get('http.response_body')!,
  FILE_DATA: byName.get('file.data')!,
  DNS_QUERY: byName.get('dns.query')!,
} as const;

/** Buffer id of a sticky-buffer keyword (`http.uri`, `file_data`, `dns_query`), or undefined. */
export function stickyBufferId(keyword: string): number | undefined {
  return bySticky.get(keyword);
}

/** Buffer id of a legacy content modifier (`http_uri`), or undefined. */
export function modifierBufferId(keyword: string): number | undefined {
  return byModifier.get(keyword);
}

/** Buffer id selected by a pcre flag letter (`U`), or undefined. */
export function pcreFlagBufferId(flag: string): number | undefined {
  return byPcreFlag.get(flag);
}

/** Buffer id by canonical name. */
export function bufferIdByName(name: string): number | undefined {
  return byName.get(name);
}

/**
 * One inspection buffer instance: a byte view plus a lazily built regex subject string (built
 * at most once per buffer, whatever number of rules run a regex over it). The engine reuses
 * these objects: {@link set} replaces the view and drops the cached string.
 */
export class InspectionBuffer {
  data: Uint8Array = EMPTY;
  private text: string | null = null;

  set(data: Uint8Array): this {
    this.data = data;
    this.text = null;
    return this;
  }

  /** The bytes as the string translated pcre regexes run on (see regexSubject). */
  regexText(): string {
    let t = this.text;
    if (t === null) {
      t = regexSubject(this.data);
      this.text = t;
    }
    return t;
  }
}

const EMPTY = new Uint8Array(0);

/** Instances of one buffer on one side: `count` valid entries of `items`. */
export class BufferSlot {
  count = 0;
  readonly items: InspectionBuffer[] = [];

  /**
   * The set whose list of slots filled since its last clear this slot joins when it goes from
   * empty to filled, so that clearing costs the slots a packet used, not all of them.
   */
  constructor(private readonly owner: BufferSet | null = null) {}

  /** Sets a single instance (the common case). */
  set(data: Uint8Array): void {
    if (this.count === 0) this.add(data);
    else {
      this.count = 0;
      this.push(data);
    }
  }

  /** Appends one more instance (dns.query with several queries, tls.certs). */
  add(data: Uint8Array): void {
    if (this.count === 0 && this.owner !== null) this.owner.markFilled(this);
    this.push(data);
  }

  private push(data: Uint8Array): void {
    let b = this.items[this.count];
    if (!b) {
      b = new InspectionBuffer();
      this.items.push(b);
    }
    b.set(data);
    this.count++;
  }

  clear(): void {
    this.count = 0;
  }
}

/**
 * Every buffer available for one detection call, for each side. The engine clears it, fills
 * what the packet or transaction provides, and passes it in {@link DetectInput}. Packet
 * buffers (pkt_data, tcp.hdr, udp.hdr, ipv4.hdr) have a single slot whatever the packet's
 * direction: the toServer one ({@link BufferSet.setPacket}). A slot with
 * `count === 0` is an absent buffer: any list on it fails, even one of negated contents only,
 * as in Suricata.
 */
export class BufferSet {
  /** Request-side instances, indexed by buffer id. */
  readonly toServer: BufferSlot[] = [];
  /** Response-side instances, indexed by buffer id. */
  readonly toClient: BufferSlot[] = [];
  /**
   * Slots filled since the last clear, the first `filledCount` entries (a slot cleared on its
   * own and filled again may repeat). A count rather than `length = 0`: truncating an array
   * frees its backing store, and the next packet's first push allocated a new one.
   */
  private readonly filled: BufferSlot[] = [];
  private filledCount = 0;

  constructor() {
    for (let i = 0; i < BUFFER_COUNT; i++) {
      this.toServer.push(new BufferSlot(this));
      this.toClient.push(new BufferSlot(this));
    }
  }

  /** Called by a slot of this set when it goes from empty to filled. */
  markFilled(slot: BufferSlot): void {
    this.filled[this.filledCount++] = slot;
  }

  /** Slot of `id` on the side `toServer` (true) or `toClient` (false). */
  slot(id: number, toServer: boolean): BufferSlot {
    return toServer ? this.toServer[id] : this.toClient[id];
  }

  /** Sets a packet buffer (pkt_data, tcp.hdr, udp.hdr, ipv4.hdr): these have one slot, the toServer one. */
  setPacket(id: number, data: Uint8Array): void {
    this.toServer[id].set(data);
  }

  /** Sets a single-instance buffer on one side. */
  set(id: number, toServer: boolean, data: Uint8Array): void {
    (toServer ? this.toServer : this.toClient)[id].set(data);
  }

  /** Empties every slot: only those filled since the last clear can hold anything. */
  clear(): void {
    const f = this.filled;
    for (let i = 0; i < this.filledCount; i++) f[i].count = 0;
    this.filledCount = 0;
  }
}

/**
 * One UTF-16 unit per byte; bytes 0x80-0xff become U+2880-U+28FF, a block without case
 * mappings, so that a regex's /i folds ASCII letters only (PCRE's C-locale behaviour). The
 * pcre translator writes high bytes of patterns in the same block.
 */
export function regexSubject(data: Uint8Array): string {
  let high = false;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= 0x80) {
      high = true;
      break;
    }
  }
  if (!high) return Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
  const u = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) u[i] = data[i] >= 0x80 ? 0x2800 + data[i] : data[i];
  return Buffer.from(u.buffer, 0, u.byteLength).toString('utf16le');
}
