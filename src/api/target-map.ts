/**
 * `--target-map`: runs a script written for one network against another (a test lab) and keeps
 * it there. Entries rename what the script names — `192.168.1.0/24=10.9.8.0/24` moves each
 * address to the same host number in the other block, `192.168.1.100=10.9.8.7` one address,
 * `backend1=10.9.8.5` a host name — and, once any entry is given, confine the script: every
 * address or name it asks the facade to scan or connect to must land, after renaming, inside a
 * mapped destination (or loopback). Anything else is refused with
 * SENTRA_ERR_TARGET_NOT_ALLOWED before a packet is sent or a name is resolved.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { type Cidr, cidrContains, formatCidr, formatIp, isIp, parseCidr } from '../net/address.js';

interface BlockEntry {
  readonly from: Cidr;
  readonly to: Cidr;
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
/** scheme://userinfo@ (both optional), then the host (bracketed IPv6 or a plain name/IPv4), then the rest. */
const URL_HOST = /^((?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?)(?:\[([^\]]+)\]|([^:/?#[\]]+))(.*)$/s;
const LOOPBACK: readonly Cidr[] = [parseCidr('127.0.0.0/8'), parseCidr('::1/128')];

function invalid(entry: string, why: string): SentraError {
  return new SentraError(ErrorCodes.INVALID_ARGUMENT, `--target-map: '${entry}' ${why}`, {
    details: { value: entry },
  });
}

/** Copies the host bits of `addr` into the network `to` (same prefix length as the source). */
function moveInto(addr: Uint8Array, to: Cidr): Uint8Array {
  const out = new Uint8Array(addr);
  let bits = to.prefix;
  for (let i = 0; i < out.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    out[i] = (to.bytes[i] & mask) | (out[i] & ~mask & 0xff);
  }
  return out;
}

export class TargetMap {
  private readonly blocks: BlockEntry[] = [];
  private readonly names = new Map<string, string>();

  /** Parses `FROM=TO` entries (several per value, comma-separated). */
  static parse(values: readonly string[]): TargetMap {
    const map = new TargetMap();
    for (const value of values) {
      for (const item of value.split(',')) {
        const entry = item.trim();
        if (entry !== '') map.add(entry);
      }
    }
    return map;
  }

  /** True when at least one entry was given: the script is then confined to the destinations. */
  get confined(): boolean {
    return this.blocks.length > 0 || this.names.size > 0;
  }

  /** Adds one `FROM=TO` entry. */
  add(entry: string): void {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw invalid(entry, 'is not FROM=TO');
    const fromText = entry.slice(0, eq).trim();
    const toText = entry.slice(eq + 1).trim();
    if (!isIp(toText.split('/')[0]))
      throw invalid(entry, `maps to '${toText}', which is not an address or CIDR`);
    const to = parseCidr(toText, { strict: true });
    if (isIp(fromText.split('/')[0])) {
      const from = parseCidr(fromText, { strict: true });
      if (from.family !== to.family || from.prefix !== to.prefix) {
        throw invalid(entry, 'needs both sides of the same family and prefix length (e.g. /24=/24)');
      }
      this.blocks.push({ from, to });
      return;
    }
    if (!HOST_NAME.test(fromText) || fromText.length > 253)
      throw invalid(entry, 'names neither an address nor a host');
    if (to.prefix !== (to.family === 4 ? 32 : 128))
      throw invalid(entry, 'maps a host name to a block; give one address');
    this.names.set(fromText.toLowerCase(), formatIp(to.bytes));
  }

  /**
   * The address or host name to use for `target` (an address, a name, or a CIDR for
   * `scan_network`). `what` names the argument in the error when the result is outside the lab.
   * With `confine: false` (firewall addresses: a ban sends nothing) targets are only renamed.
   */
  map(target: string, what: string, opts: { confine?: boolean } = {}): string {
    const confine = this.confined && opts.confine !== false;
    const t = target.trim();
    const name = this.names.get(t.toLowerCase().replace(/\.$/, ''));
    if (name !== undefined) return name;
    if (!isIp(t.split('/')[0])) {
      if (confine) throw this.refuse(t, what, 'a host name that --target-map does not map');
      return t;
    }
    const isBlock = t.includes('/');
    const c = parseCidr(t);
    const ip = c.bytes;
    for (const b of this.blocks) {
      if (b.from.family !== c.family || !cidrContains(b.from, ip) || c.prefix < b.from.prefix) continue;
      const moved = moveInto(ip, b.to);
      return isBlock ? formatCidr({ family: c.family, bytes: moved, prefix: c.prefix }) : formatIp(moved);
    }
    if (confine && !this.inside(c)) throw this.refuse(t, what, 'outside every --target-map destination');
    return isBlock ? formatCidr(c) : formatIp(ip);
  }

  /**
   * Maps the host of a URL (`http://host:port/path`, or `host:port` without a scheme); the rest
   * of the text is kept exactly as written.
   */
  mapUrl(url: string, what: string): string {
    const m = URL_HOST.exec(url);
    if (m === null) return url; // the proxy module reports a malformed URL with its own message
    const [, head, bracketed, plain, tail] = m;
    const host = bracketed ?? plain;
    const mapped = this.map(host, what);
    if (mapped === host) return url;
    return head + (mapped.includes(':') ? `[${mapped}]` : mapped) + tail;
  }

  /** The name a mapped address was given (`backend1` for its address), or ''. */
  nameOf(address: string): string {
    for (const [n, a] of this.names) if (a === address) return n;
    return '';
  }

  /** The entries, as given after normalisation (for messages and `--json`). */
  entries(): string[] {
    return [
      ...this.blocks.map((b) => `${formatCidr(b.from)}=${formatCidr(b.to)}`),
      ...[...this.names].map(([n, a]) => `${n}=${a}`),
    ];
  }

  private inside(c: Cidr): boolean {
    const dests: Cidr[] = [...LOOPBACK, ...this.blocks.map((b) => b.to)];
    for (const a of this.names.values()) dests.push(parseCidr(a));
    return dests.some((d) => d.family === c.family && c.prefix >= d.prefix && cidrContains(d, c.bytes));
  }

  private refuse(target: string, what: string, why: string): SentraError {
    return new SentraError(
      ErrorCodes.TARGET_NOT_ALLOWED,
      `${what} '${target}' is ${why}; this run is confined to ${this.entries().join(', ')} and loopback`,
      { details: { target, allowed: this.entries() } },
    );
  }
}
