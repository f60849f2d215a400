/**
 * The filter argument of `network_get_flows`: an object ({@link FlowFilter}) or a short text in
 * tcpdump's words — `tcp`, `udp`, `icmp`, `host ADDR`, `port N`, `bytes > N`, joined by `and`.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { formatIPv4, formatIPv6, parseIp, parsePort } from '../net/address.js';
import type { FlowFilter } from './traffic.js';

const PROTOS = new Set(['tcp', 'udp', 'icmp', 'icmpv6']);

function bad(text: string, why: string): SentraError {
  return new SentraError(
    ErrorCodes.FILTER_SYNTAX,
    `bad flow filter "${text}": ${why} (use e.g. "tcp and port 443", "host 10.0.0.1", "bytes > 1000")`,
    { details: { filter: text } },
  );
}

export function parseFlowFilter(filter: string | FlowFilter | null | undefined): FlowFilter {
  if (filter === null || filter === undefined) return {};
  if (typeof filter === 'object') return filter;
  if (typeof filter !== 'string') throw bad(String(filter), 'not a string');
  const words = filter
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const out: FlowFilter = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i].toLowerCase();
    if (w === 'and' || w === '&&') continue;
    if (PROTOS.has(w)) out.protocol = w;
    else if (w === 'host') {
      const a = words[++i];
      if (!a) throw bad(filter, 'host needs an address');
      const ip = parseIp(a);
      out.ip = ip.family === 4 ? formatIPv4(ip.bytes) : formatIPv6(ip.bytes);
    } else if (w === 'port') {
      const p = words[++i];
      if (!p) throw bad(filter, 'port needs a number');
      out.port = parsePort(p);
    } else if (w === 'bytes') {
      const op = words[++i];
      const n = Number(words[++i]);
      if (op !== '>' || !Number.isFinite(n)) throw bad(filter, 'write "bytes > N"');
      out.min_bytes = n + 1;
    } else throw bad(filter, `unknown word "${words[i]}"`);
  }
  return out;
}
