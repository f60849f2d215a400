/**
 * Flow keywords (flow, flowbits, flowint, xbits/hostbits, stream_size), sticky buffers, legacy
 * content modifiers, transforms, app-layer-protocol and tls.version.
 */
import { BUFFERS, BufferId, modifierBufferId, stickyBufferId } from '../../match/buffers.js';
import type { FlowintOp, XbitOp } from '../../match/rule.js';
import { PayloadMode } from '../../match/rule.js';
import { TRANSFORMS, type TransformName } from '../../match/transforms.js';
import { parseUintCompare } from '../../match/uint.js';
import { type RuleBuilder, syntax, unsupported } from '../builder.js';
import type { KeywordTable } from './types.js';

function need(kw: string, v: string | null): string {
  if (v === null || v.trim() === '') throw syntax(kw, `${kw} needs a value`);
  return v.trim();
}

function noValue(kw: string, v: string | null): void {
  if (v !== null && v.trim() !== '') throw syntax(kw, `${kw} takes no value`);
}

const NAME = /^[^\s,|&;]+$/;

function flowKeyword(b: RuleBuilder, v: string | null): void {
  if (b.flow) throw syntax('flow', 'flow given twice');
  const f = { toServer: false, toClient: false, established: false, notEstablished: false, needsFlow: true };
  for (const raw of need('flow', v).split(',')) {
    const o = raw.trim().toLowerCase();
    switch (o) {
      case 'to_server':
      case 'from_client':
        f.toServer = true;
        break;
      case 'to_client':
      case 'from_server':
        f.toClient = true;
        break;
      case 'established':
        f.established = true;
        break;
      case 'not_established':
        f.notEstablished = true;
        break;
      case 'stateless':
        break;
      case 'only_stream':
        b.payloadMode = PayloadMode.STREAM;
        break;
      case 'no_stream':
        b.payloadMode = PayloadMode.PACKET;
        break;
      case 'only_frag':
      case 'no_frag':
        throw unsupported('flow', `flow:${o}`);
      default:
        throw syntax('flow', `unknown flow option "${o}"`);
    }
  }
  if (f.toServer && f.toClient) throw syntax('flow', 'to_server and to_client exclude each other');
  if (f.established && f.notEstablished)
    throw syntax('flow', 'established and not_established exclude each other');
  b.flow = f;
}

function flowbits(b: RuleBuilder, v: string | null): void {
  const t = need('flowbits', v);
  const parts = t.split(',').map((s) => s.trim());
  const cmd = parts[0].toLowerCase();
  if (cmd === 'noalert') {
    if (parts.length > 1) throw syntax('flowbits', 'flowbits:noalert takes no name');
    b.noalert = true;
    return;
  }
  if (parts.length !== 2 || parts[1] === '') throw syntax('flowbits', `flowbits:${cmd} needs one name`);
  const spec = parts[1];
  const or = spec.includes('|');
  const and = spec.includes('&');
  if (or && and) throw syntax('flowbits', 'cannot mix | and & in one flowbits');
  const names = spec.split(/[|&]/).map((s) => s.trim());
  for (const n of names) if (!NAME.test(n)) throw syntax('flowbits', `bad flowbit name "${n}"`);
  const ids = names.map((n) => b.intern('flowbit:' + n));
  switch (cmd) {
    case 'isset':
    case 'isnotset':
      b.flowbitConditions.push({ cmd, ids, all: and });
      return;
    case 'set':
    case 'unset':
    case 'toggle':
      if (or) throw syntax('flowbits', `flowbits:${cmd} cannot use "|"`);
      b.flowbitActions.push({ cmd, ids });
      return;
    default:
      throw syntax('flowbits', `unknown flowbits command "${cmd}"`);
  }
}

const FLOWINT_OPS = new Set(['==', '!=', '<', '<=', '>', '>=', 'isset', 'notset', 'isnotset', '=', '+', '-']);

function flowint(b: RuleBuilder, v: string | null): void {
  const parts = need('flowint', v)
    .split(',')
    .map((s) => s.trim());
  if (parts.length < 2) throw syntax('flowint', 'flowint needs a name and an operator');
  const [name, opRaw, val] = parts;
  if (!NAME.test(name)) throw syntax('flowint', `bad flowint name "${name}"`);
  if (!FLOWINT_OPS.has(opRaw)) throw syntax('flowint', `unknown flowint operator "${opRaw}"`);
  const op = (opRaw === 'isnotset' ? 'notset' : opRaw) as FlowintOp['op'];
  const id = b.intern('flowint:' + name);
  if (op === 'isset' || op === 'notset') {
    if (val !== undefined) throw syntax('flowint', `${op} takes no value`);
    b.flowints.push({ id, op, value: 0, valueId: -1 });
    return;
  }
  if (val === undefined || val === '') throw syntax('flowint', `operator ${op} needs a value`);
  if (/^\d+$/.test(val)) {
    const n = Number(val);
    if (n > 0xffffffff) throw syntax('flowint', 'value above 32 bits');
    b.flowints.push({ id, op, value: n, valueId: -1 });
  } else if (NAME.test(val)) b.flowints.push({ id, op, value: 0, valueId: b.intern('flowint:' + val) });
  else throw syntax('flowint', `bad value "${val}"`);
}

/** Default expiry of xbits without `expire` (Suricata: 30 s). */
export const XBITS_DEFAULT_EXPIRE = 30;

function xbits(kw: 'xbits' | 'hostbits') {
  return (b: RuleBuilder, v: string | null) => {
    const parts = need(kw, v)
      .split(',')
      .map((s) => s.trim());
    const cmd = parts[0].toLowerCase();
    if (cmd === 'noalert') {
      b.noalert = true;
      return;
    }
    if (!['set', 'unset', 'toggle', 'isset', 'isnotset'].includes(cmd))
      throw syntax(kw, `unknown ${kw} command "${cmd}"`);
    const name = parts[1];
    if (!name || !NAME.test(name)) throw syntax(kw, `${kw} needs a name`);
    let track: XbitOp['track'] = 'ip_src';
    let expire = XBITS_DEFAULT_EXPIRE;
    let sawTrack = false;
    for (const p of parts.slice(2)) {
      const tm = /^track\s+(ip_src|ip_dst|ip_pair)$/.exec(p);
      const em = /^expire\s+(\d+)$/.exec(p);
      if (tm) {
        track = tm[1] as XbitOp['track'];
        sawTrack = true;
      } else if (em) expire = Number(em[1]);
      else if (kw === 'hostbits' && (p === 'src' || p === 'dst' || p === 'both')) {
        if (p === 'both') throw unsupported(kw, 'hostbits on both hosts');
        track = p === 'src' ? 'ip_src' : 'ip_dst';
        sawTrack = true;
      } else if (kw === 'hostbits' && /^\d+$/.test(p)) expire = Number(p);
      else throw syntax(kw, `unknown ${kw} option "${p}"`);
    }
    if (kw === 'xbits' && !sawTrack) throw syntax(kw, 'xbits needs "track ip_src|ip_dst|ip_pair"');
    const id = b.intern((track === 'ip_pair' ? 'ippair:' : 'host:') + name);
    b.xbits.push({ cmd: cmd as XbitOp['cmd'], id, track, expire });
  };
}

function streamSize(b: RuleBuilder, v: string | null): void {
  const parts = need('stream_size', v)
    .split(',')
    .map((s) => s.trim());
  if (parts.length !== 3) throw syntax('stream_size', 'stream_size needs side, operator, value');
  const side = parts[0];
  if (side !== 'server' && side !== 'client' && side !== 'both' && side !== 'either')
    throw syntax('stream_size', 'side must be server, client, both or either');
  const cmp = parseUintCompare((parts[1] === '==' ? '=' : parts[1]) + parts[2], 0xffffffff);
  if (!cmp || !['<', '>', '=', '!=', '>=', '<=', '=='].includes(parts[1]))
    throw syntax('stream_size', `bad comparison "${parts[1]} ${parts[2]}"`);
  b.streamSize.push({ side, cmp });
}

function sticky(buffer: number) {
  return (b: RuleBuilder, v: string | null) => {
    noValue(BUFFERS[buffer].name, v);
    b.setSticky(buffer);
  };
}

function modifier(keyword: string, buffer: number) {
  return (b: RuleBuilder, v: string | null) => {
    noValue(keyword, v);
    b.moveContent(b.requireContent(keyword), buffer, keyword);
  };
}

function transform(name: TransformName) {
  return (b: RuleBuilder, v: string | null) => {
    noValue(name, v);
    if (!b.hasSticky()) throw syntax(name, `${name} must follow a sticky buffer`);
    const l = b.currentList();
    if (l.items.length > 0)
      throw syntax(name, `${name} must come right after the sticky buffer, before its content`);
    l.transforms.push(name);
  };
}

const APP_PROTOS = new Set([
  'http',
  'http1',
  'dns',
  'tls',
  'ssh',
  'smtp',
  'ftp',
  'smb',
  'dcerpc',
  'krb5',
  'dhcp',
  'ntp',
  'snmp',
  'sip',
  'rdp',
  'imap',
  'pop3',
  'mqtt',
  'modbus',
  'dnp3',
  'enip',
  'nfs',
  'tftp',
  'ike',
  'http2',
  'failed',
  'unknown',
]);

const TLS_VERSIONS: Record<string, number> = { '1.0': 0x0301, '1.1': 0x0302, '1.2': 0x0303, '1.3': 0x0304 };

export const flowKeywords: KeywordTable = {
  flow: flowKeyword,
  flowbits,
  flowint,
  xbits: xbits('xbits'),
  hostbits: xbits('hostbits'),
  stream_size: streamSize,
  pkt_data(b, v) {
    noValue('pkt_data', v);
    b.setSticky(BufferId.PKT_DATA);
  },
  'app-layer-protocol'(b, v) {
    const parts = need('app-layer-protocol', v)
      .split(',')
      .map((s) => s.trim());
    if (parts.length > 1) throw unsupported('app-layer-protocol', `app-layer-protocol mode "${parts[1]}"`);
    let t = parts[0];
    let negated = false;
    if (t.startsWith('!')) {
      negated = true;
      t = t.slice(1);
    }
    const name = t.toLowerCase() === 'http1' ? 'http' : t.toLowerCase();
    if (!APP_PROTOS.has(name)) throw syntax('app-layer-protocol', `unknown protocol "${t}"`);
    b.appLayerProtocol.push({ names: [name], negated });
  },
  'tls.version'(b, v) {
    const t = need('tls.version', v);
    const ver = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : TLS_VERSIONS[t];
    if (ver === undefined) throw syntax('tls.version', `unknown TLS version "${t}"`);
    b.tlsVersions.push(ver);
  },
};

for (const def of BUFFERS) {
  if (def.id === BufferId.PKT_DATA) continue;
  flowKeywords[def.name] = sticky(def.id);
}
/** Legacy names of sticky buffers (`file_data`, `dns_query`, `http_request_line`...). */
const STICKY_ALIASES = [
  'file_data',
  'dns_query',
  'tls_sni',
  'tls_cert_subject',
  'tls_cert_issuer',
  'tls_cert_serial',
  'tls_cert_fingerprint',
  'ja3_hash',
  'ja3_string',
  'ja3s_hash',
  'ja3s_string',
  'ssh_proto',
  'ssh_software',
  'http_request_line',
  'http_response_line',
  'http_protocol',
  'http_start',
  'http_header_names',
  'http_accept',
  'http_accept_enc',
  'http_accept_lang',
  'http_connection',
  'http_content_type',
  'http_content_len',
  'http_referer',
  'http_location',
  'http_server',
  'http.client_body',
  'http.server_body',
];
for (const a of STICKY_ALIASES) {
  const id = stickyBufferId(a);
  if (id !== undefined) flowKeywords[a] = sticky(id);
}
for (const m of [
  'http_uri',
  'http_raw_uri',
  'http_method',
  'http_header',
  'http_raw_header',
  'http_cookie',
  'http_user_agent',
  'http_host',
  'http_raw_host',
  'http_client_body',
  'http_server_body',
  'http_stat_code',
  'http_stat_msg',
]) {
  const id = modifierBufferId(m);
  if (id !== undefined) flowKeywords[m] = modifier(m, id);
}
for (const t of TRANSFORMS) flowKeywords[t] = transform(t);
