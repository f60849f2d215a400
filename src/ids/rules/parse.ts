/**
 * Parses one rule: header (action, protocol, addresses, ports, direction) and options, each
 * option dispatched to its keyword parser. A rule is either compiled whole or refused with a
 * {@link RuleProblem} naming the keyword: it is never half-evaluated.
 */
import type { IpSet } from '../match/ip-set.js';
import type { PortSet } from '../match/port-set.js';
import type { CompiledRule, RuleAction } from '../match/rule.js';
import { GroupError, parseAddressGroup, parsePortGroup } from './address-group.js';
import { RuleBuilder, RuleProblem, syntax, unsupported } from './builder.js';
import { type CompileContext, compileRule } from './compile.js';
import { flowKeywords } from './keywords/flow.js';
import { headerKeywords } from './keywords/header.js';
import { metaKeywords } from './keywords/meta.js';
import { payloadKeywords } from './keywords/payload.js';
import type { KeywordTable, ParseContext } from './keywords/types.js';
import { splitRule } from './text.js';
import type { RuleVars } from './vars.js';

/** Every keyword Sentra understands, by name. */
export const KEYWORDS: Readonly<KeywordTable> = {
  ...metaKeywords,
  ...payloadKeywords,
  ...headerKeywords,
  ...flowKeywords,
};

const ACTIONS = new Set<RuleAction>([
  'alert',
  'drop',
  'pass',
  'reject',
  'rejectsrc',
  'rejectdst',
  'rejectboth',
]);

interface ProtoInfo {
  ipProto: number;
  ipProtoAlt: number;
  appProto: string | null;
}

const PROTOS: Record<string, ProtoInfo> = {
  ip: { ipProto: -1, ipProtoAlt: -1, appProto: null },
  pkthdr: { ipProto: -1, ipProtoAlt: -1, appProto: null },
  tcp: { ipProto: 6, ipProtoAlt: -1, appProto: null },
  'tcp-pkt': { ipProto: 6, ipProtoAlt: -1, appProto: null },
  'tcp-stream': { ipProto: 6, ipProtoAlt: -1, appProto: null },
  udp: { ipProto: 17, ipProtoAlt: -1, appProto: null },
  icmp: { ipProto: 1, ipProtoAlt: 58, appProto: null },
  icmpv4: { ipProto: 1, ipProtoAlt: -1, appProto: null },
  icmpv6: { ipProto: 58, ipProtoAlt: -1, appProto: null },
  sctp: { ipProto: 132, ipProtoAlt: -1, appProto: null },
  http: { ipProto: 6, ipProtoAlt: -1, appProto: 'http' },
  http1: { ipProto: 6, ipProtoAlt: -1, appProto: 'http' },
  dns: { ipProto: -1, ipProtoAlt: -1, appProto: 'dns' },
  tls: { ipProto: 6, ipProtoAlt: -1, appProto: 'tls' },
  ssl: { ipProto: 6, ipProtoAlt: -1, appProto: 'tls' },
  ssh: { ipProto: 6, ipProtoAlt: -1, appProto: 'ssh' },
};

/** Application protocols Suricata knows but Sentra has no parser for. */
const UNSUPPORTED_PROTOS = new Set([
  'smtp',
  'ftp',
  'ftp-data',
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
  'ikev2',
  'http2',
  'quic',
  'rfb',
  'telnet',
  'websocket',
  'ldap',
  'bittorrent-dht',
  'pgsql',
  'ipv4',
  'ipv6',
]);

/** Caches shared by every rule of a load (address and port sets repeat a lot). */
export interface ParseCaches {
  addr: Map<string, IpSet>;
  port: Map<string, PortSet>;
}

export interface RuleParseEnv extends ParseContext, CompileContext {
  vars: RuleVars;
  caches: ParseCaches;
  intern: (name: string) => number;
}

/** Parses and compiles one rule. Throws RuleProblem. */
export function parseRule(
  text: string,
  env: RuleParseEnv,
  where: { file: string; line: number },
): CompiledRule {
  const split = splitRule(text);
  if (typeof split === 'string') throw syntax('rule', split);
  const h = split.header.split(/\s+/);
  if (h.length !== 7)
    throw syntax(
      'header',
      `the header needs 7 parts (action proto src sport dir dst dport), got ${h.length}`,
    );
  const [action, proto, src, sport, dir, dst, dport] = h;
  if (!ACTIONS.has(action as RuleAction)) throw syntax('action', `unknown action "${action}"`);
  const b = new RuleBuilder(env.intern);
  b.action = action as RuleAction;
  const p = proto.toLowerCase();
  const info = PROTOS[p];
  if (!info) {
    if (UNSUPPORTED_PROTOS.has(p))
      throw unsupported('protocol', `protocol "${p}" (no ${p} parser in Sentra)`);
    throw syntax('protocol', `unknown protocol "${proto}"`);
  }
  b.ipProto = info.ipProto;
  b.ipProtoAlt = info.ipProtoAlt;
  b.appProto = info.appProto;
  b.headerProto = p;
  if (dir !== '->' && dir !== '<>') throw syntax('direction', `direction must be -> or <>, got "${dir}"`);
  let header: Pick<CompiledRule, 'src' | 'dst' | 'srcPorts' | 'dstPorts' | 'bidirectional'>;
  try {
    header = {
      src: parseAddressGroup(src, env.vars, env.caches.addr),
      srcPorts: parsePortGroup(sport, env.vars, env.caches.port),
      dst: parseAddressGroup(dst, env.vars, env.caches.addr),
      dstPorts: parsePortGroup(dport, env.vars, env.caches.port),
      bidirectional: dir === '<>',
    };
  } catch (e) {
    if (e instanceof GroupError) throw syntax('header', e.message);
    throw e;
  }
  for (const o of split.options) {
    const handler = KEYWORDS[o.keyword];
    if (!handler) throw unsupported(o.keyword, `keyword "${o.keyword}" is not supported`);
    handler(b, o.value, env);
  }
  const rule = compileRule(b, header, env, { ...where, text });
  for (const r of rule.references) {
    const prefix = env.references.get(r.system.toLowerCase());
    r.url = prefix !== undefined ? prefix + r.id : null;
  }
  return rule;
}

export { RuleProblem };
