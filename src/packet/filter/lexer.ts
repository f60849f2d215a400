/**
 * The tokenizer of pcap-filter(7) expressions, following libpcap's scanner.l: longest match
 * wins, and between matches of the same length the rule listed first in scanner.l wins. That
 * is why `tcp-syn` is a number, `1-1024` is one identifier (a port range), `10.0.0.1` is a
 * host id rather than an identifier, and `len-20` is an identifier (a syntax error later).
 */

/** Token kinds; keywords are their own kinds (`kw`) with the keyword text in `text`. */
export type TokenKind =
  | 'kw' // a keyword (text: the keyword)
  | 'num' // a number (value)
  | 'id' // an identifier: a host name, port name, port range, `\escaped` word (text)
  | 'hid' // dotted IPv4, 2 to 4 parts (text)
  | 'hid6' // IPv6 address (text)
  | 'eid' // Ethernet MAC address (text)
  | 'aid' // ARCnet address `$xx` (text)
  | 'op' // punctuation and operators (text: `(`, `&&`, `>=`, ...)
  | 'error' // a character or word the scanner refuses (text, message)
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** For `num`: the value (unsigned 32-bit). */
  value: number;
  /** Offset of the first character in the expression (0-based). */
  pos: number;
  /** Offset just after the last character. */
  end: number;
  /** For `error` tokens: why the scanner refused it. */
  message?: string;
}

/** Keywords of scanner.l that are not numbers (the libpcap token each maps to is the text). */
const KEYWORDS = new Set([
  'dst',
  'src',
  'link',
  'ether',
  'ppp',
  'slip',
  'fddi',
  'tr',
  'wlan',
  'arp',
  'rarp',
  'ip',
  'sctp',
  'tcp',
  'udp',
  'icmp',
  'igmp',
  'igrp',
  'pim',
  'vrrp',
  'carp',
  'radio',
  'ip6',
  'icmp6',
  'ah',
  'esp',
  'atalk',
  'aarp',
  'decnet',
  'lat',
  'sca',
  'moprc',
  'mopdl',
  'iso',
  'esis',
  'es-is',
  'isis',
  'is-is',
  'l1',
  'l2',
  'iih',
  'lsp',
  'snp',
  'csnp',
  'psnp',
  'clnp',
  'stp',
  'ipx',
  'netbeui',
  'host',
  'net',
  'mask',
  'port',
  'portrange',
  'proto',
  'protochain',
  'gateway',
  'type',
  'subtype',
  'direction',
  'dir',
  'address1',
  'addr1',
  'address2',
  'addr2',
  'address3',
  'addr3',
  'address4',
  'addr4',
  'ra',
  'ta',
  'less',
  'greater',
  'byte',
  'broadcast',
  'multicast',
  'and',
  'or',
  'not',
  'len',
  'length',
  'inbound',
  'outbound',
  'ifindex',
  'vlan',
  'mpls',
  'pppoed',
  'pppoes',
  'geneve',
  'vxlan',
  'lane',
  'llc',
  'metac',
  'bcc',
  'oam',
  'oamf4',
  'oamf4ec',
  'oamf4sc',
  'sc',
  'ilmic',
  'vpi',
  'vci',
  'connectmsg',
  'metaconnect',
  'on',
  'ifname',
  'rset',
  'ruleset',
  'rnr',
  'rulenum',
  'srnr',
  'subrulenum',
  'reason',
  'action',
  'fisu',
  'lssu',
  'lsu',
  'msu',
  'hfisu',
  'hlssu',
  'hmsu',
  'sio',
  'opc',
  'dpc',
  'sls',
  'hsio',
  'hopc',
  'hdpc',
  'hsls',
]);

/** Spellings that scanner.l folds into one token. */
const KEYWORD_ALIASES: Record<string, string> = {
  ether: 'link',
  ppp: 'link',
  slip: 'link',
  fddi: 'link',
  tr: 'link',
  wlan: 'link',
  'es-is': 'esis',
  'is-is': 'isis',
  direction: 'dir',
  address1: 'addr1',
  address2: 'addr2',
  address3: 'addr3',
  address4: 'addr4',
  length: 'len',
  ifname: 'on',
  ruleset: 'rset',
  rulenum: 'rnr',
  subrulenum: 'srnr',
  lsu: 'lssu',
};

/** Named numbers of scanner.l (offsets and values for `icmp[icmptype]`, `tcp[tcpflags]`...). */
export const NAMED_NUMBERS: Readonly<Record<string, number>> = {
  icmptype: 0,
  icmpcode: 1,
  'icmp-echoreply': 0,
  'icmp-unreach': 3,
  'icmp-sourcequench': 4,
  'icmp-redirect': 5,
  'icmp-echo': 8,
  'icmp-routeradvert': 9,
  'icmp-routersolicit': 10,
  'icmp-timxceed': 11,
  'icmp-paramprob': 12,
  'icmp-tstamp': 13,
  'icmp-tstampreply': 14,
  'icmp-ireq': 15,
  'icmp-ireqreply': 16,
  'icmp-maskreq': 17,
  'icmp-maskreply': 18,
  icmp6type: 0,
  icmp6code: 1,
  'icmp6-destinationunreach': 1,
  'icmp6-packettoobig': 2,
  'icmp6-timeexceeded': 3,
  'icmp6-parameterproblem': 4,
  'icmp6-echo': 128,
  'icmp6-echoreply': 129,
  'icmp6-multicastlistenerquery': 130,
  'icmp6-multicastlistenerreportv1': 131,
  'icmp6-multicastlistenerdone': 132,
  'icmp6-routersolicit': 133,
  'icmp6-routeradvert': 134,
  'icmp6-neighborsolicit': 135,
  'icmp6-neighboradvert': 136,
  'icmp6-redirect': 137,
  'icmp6-routerrenum': 138,
  'icmp6-nodeinformationquery': 139,
  'icmp6-nodeinformationresponse': 140,
  'icmp6-ineighbordiscoverysolicit': 141,
  'icmp6-ineighbordiscoveryadvert': 142,
  'icmp6-multicastlistenerreportv2': 143,
  'icmp6-homeagentdiscoveryrequest': 144,
  'icmp6-homeagentdiscoveryreply': 145,
  'icmp6-mobileprefixsolicit': 146,
  'icmp6-mobileprefixadvert': 147,
  'icmp6-certpathsolicit': 148,
  'icmp6-certpathadvert': 149,
  'icmp6-multicastrouteradvert': 151,
  'icmp6-multicastroutersolicit': 152,
  'icmp6-multicastrouterterm': 153,
  tcpflags: 13,
  'tcp-fin': 0x01,
  'tcp-syn': 0x02,
  'tcp-rst': 0x04,
  'tcp-push': 0x08,
  'tcp-ack': 0x10,
  'tcp-urg': 0x20,
  'tcp-ece': 0x40,
  'tcp-cwr': 0x80,
};

const TWO_CHAR_OPS = new Set(['>=', '<=', '!=', '==', '<<', '>>']);

type Kind = TokenKind | 'kwlit' | 'named' | 'badmac' | 'andor' | 'punct' | 'op2';
const ONE_CHAR_OPS = '+-*/%:[]!<>()&|^=';

// Regular expressions of scanner.l, anchored with the sticky flag at the scan position.
const RE_ID = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
const RE_ESCAPED = /\\[^ !()\n\t]+/y;
const RE_AID = /\$[0-9A-Fa-f][0-9A-Fa-f]?/y;
const B = '[0-9A-Fa-f][0-9A-Fa-f]?';
const B2 = '[0-9A-Fa-f]{4}';
const RE_MAC = new RegExp(
  `(?:${B}:${B}:${B}:${B}:${B}:${B}|${B}-${B}-${B}-${B}-${B}-${B}|${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}|${B2}\\.${B2}\\.${B2}|${B2}${B2}${B2})`,
  'y',
);
const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const RE_N = new RegExp(N, 'y');
const RE_HID = new RegExp(`${N}\\.${N}(?:\\.${N}(?:\\.${N})?)?`, 'y');
const RE_BAD_MAC = new RegExp(`${B}:+(?:${B}:+)+`, 'y');
const RE_V6_RUN = /[0-9A-Fa-f:.]+/y;

/** Longest match of a sticky regex at `pos`, 0 if none. Flex is greedy but also tries shorter
 * alternatives; JS alternation is ordered, so every pattern here lists longer forms first. */
function matchLen(re: RegExp, s: string, pos: number): number {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? m[0].length : 0;
}

/**
 * Whether `s` is one of scanner.l's IPv6 forms: 8 groups, or fewer with one `::`, the last two
 * groups optionally written as a dotted quad.
 */
function isV6Form(s: string): boolean {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const parts = (p: string): string[] | null => (p === '' ? [] : p.split(':'));
  const head = dbl >= 0 ? parts(s.slice(0, dbl)) : parts(s);
  const tail = dbl >= 0 ? parts(s.slice(dbl + 2)) : [];
  if (!head || !tail) return false;
  const groups = [...head, ...tail];
  let words = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (i === groups.length - 1 && g.includes('.')) {
      if (!/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(g)) return false;
      words += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      words += 1;
    } else {
      return false;
    }
  }
  return dbl >= 0 ? words <= 7 : words === 8;
}

function v6Len(s: string, pos: number): number {
  const run = matchLen(RE_V6_RUN, s, pos);
  if (run < 2 || !s.slice(pos, pos + run).includes(':')) return 0;
  for (let len = run; len >= 2; len--) {
    if (isV6Form(s.slice(pos, pos + len))) return len;
  }
  return 0;
}

/** Parses a scanner.l number: decimal, 0x hex or 0-prefixed octal, into an unsigned 32-bit value. */
function parseNumber(text: string): { value: number } | { error: string } {
  let value: number;
  if (/^0[xX]/.test(text)) {
    value = Number.parseInt(text.slice(2), 16);
  } else if (text.length > 1 && text[0] === '0') {
    if (/[89]/.test(text)) return { error: `number ${text} contains non-octal digit` };
    value = Number.parseInt(text.slice(1), 8);
  } else {
    value = Number.parseInt(text, 10);
  }
  if (!Number.isFinite(value) || value > 0xffffffff) return { error: `number ${text} overflows 32 bits` };
  return { value };
}

/** Splits an expression into tokens, the last one `eof`. Never throws: refusals are `error` tokens. */
export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = expr.length;
  while (i < n) {
    const c = expr[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    // every rule of scanner.l that can match here; the longest match wins, and on a tie the
    // rule listed first (this array is in scanner.l's order)
    const two = expr.slice(i, i + 2);
    const idLen = matchLen(RE_ID, expr, i);
    const word = expr.slice(i, i + idLen);
    const candidates: Array<[number, Kind]> = [
      [KEYWORDS.has(word) ? idLen : 0, 'kwlit'],
      [two === '&&' || two === '||' ? 2 : 0, 'andor'],
      [ONE_CHAR_OPS.includes(c) ? 1 : 0, 'punct'],
      [TWO_CHAR_OPS.has(two) ? 2 : 0, 'op2'],
      [matchLen(RE_AID, expr, i), 'aid'],
      [matchLen(RE_MAC, expr, i), 'eid'],
      [matchLen(RE_N, expr, i), 'num'],
      [matchLen(RE_HID, expr, i), 'hid'],
      [v6Len(expr, i), 'hid6'],
      [matchLen(RE_BAD_MAC, expr, i), 'badmac'],
      [Object.hasOwn(NAMED_NUMBERS, word) ? idLen : 0, 'named'],
      [idLen, 'id'],
      [matchLen(RE_ESCAPED, expr, i), 'id'],
    ];
    let best = 0;
    let kind: Kind = 'error';
    for (const [len, k] of candidates) {
      if (len > best) {
        best = len;
        kind = k;
      }
    }
    if (best === 0) {
      out.push({ ...tok('error', c, i, i + 1), message: `unexpected character ${JSON.stringify(c)}` });
      i++;
      continue;
    }
    const text = expr.slice(i, i + best);
    switch (kind) {
      case 'andor':
        out.push(tok('kw', text === '&&' ? 'and' : 'or', i, i + best));
        break;
      case 'punct':
        // `!` is `not`
        out.push(text === '!' ? tok('kw', 'not', i, i + 1) : tok('op', text, i, i + 1));
        break;
      case 'op2':
        out.push(tok('op', text === '==' ? '=' : text, i, i + best));
        break;
      case 'kwlit':
        out.push(tok('kw', KEYWORD_ALIASES[text] ?? text, i, i + best));
        break;
      case 'named':
        out.push({ ...tok('num', text, i, i + best), value: NAMED_NUMBERS[text] });
        break;
      case 'num': {
        const r = parseNumber(text);
        if ('error' in r) out.push({ ...tok('error', text, i, i + best), message: r.error });
        else out.push({ ...tok('num', text, i, i + best), value: r.value });
        break;
      }
      case 'badmac':
        out.push({ ...tok('error', text, i, i + best), message: `bogus ethernet address ${text}` });
        break;
      case 'id':
        // `\tcp`: the backslash only stops the word from being a keyword
        out.push(tok('id', text[0] === '\\' ? text.slice(1) : text, i, i + best));
        break;
      default:
        out.push(tok(kind as TokenKind, text, i, i + best));
    }
    i += best;
  }
  out.push(tok('eof', '', n, n));
  return out;
}

function tok(kind: TokenKind, text: string, pos: number, end: number): Token {
  return { kind, text, value: 0, pos, end };
}
