/**
 * Login attempts as the network shows them, shared by the brute-force detector and the
 * custom pattern rules (`failed login attempts > 10`): a short TCP session to an
 * authentication service in which both sides talked (an SSH handshake and one password, an
 * FTP USER/PASS exchange...), and an HTTP 401 or 403 answer. Encrypted protocols hide the
 * outcome, so a short session is the sign: a successful login stays connected.
 */

import {
  CHUNK_BITS,
  CHUNK_MASK,
  D_PAYLOAD,
  DIR_SLOTS,
  F_DIR,
  F_FIRST,
  F_ID,
  F_LAST,
  K_DST,
  K_META,
  K_PORTS,
  K_SRC,
  KEY_WORDS,
} from '../flow/layout.js';
import type { EndedFlow } from '../flow/table.js';
import { FlowTable } from '../flow/table.js';
import { formatIPv6 } from '../net/address.js';

/** Service names of authentication ports (the name custom rules use: `failed SSH login`). */
export const AUTH_SERVICES: Readonly<Record<number, string>> = {
  21: 'ftp',
  22: 'ssh',
  23: 'telnet',
  25: 'smtp',
  110: 'pop3',
  143: 'imap',
  465: 'smtp',
  587: 'smtp',
  993: 'imap',
  995: 'pop3',
  1433: 'mssql',
  1521: 'oracle',
  3306: 'mysql',
  3389: 'rdp',
  5432: 'postgresql',
  5900: 'vnc',
  6379: 'redis',
  27017: 'mongodb',
};

/** One login attempt (allocated: attempts are rare next to packets). */
export interface LoginAttempt {
  service: string;
  /** Client and server address keys: uint32 for IPv4, text for IPv6 (see common.addrKey). */
  client: number | string;
  server: number | string;
  serverPort: number;
  timeUs: number;
}

function key(K: Uint32Array, at: number, v6: boolean): number | string {
  if (!v6) return K[at] >>> 0;
  const b = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = K[at + i];
    b[i * 4] = w >>> 24;
    b[i * 4 + 1] = (w >>> 16) & 0xff;
    b[i * 4 + 2] = (w >>> 8) & 0xff;
    b[i * 4 + 3] = w & 0xff;
  }
  return formatIPv6(b, 0);
}

/**
 * The login attempt an ended flow was, or null: TCP to one of `ports` (a set, or a port map:
 * non-zero at each port, one load per flow instead of a hash lookup), both sides sent
 * payload, shorter than `maxSec`, the client sent at most `maxClientBytes`.
 */
export function shortAuthSession(
  f: EndedFlow,
  ports: ReadonlySet<number> | Uint8Array,
  maxSec: number,
  maxClientBytes: number,
): LoginAttempt | null {
  const K = f.table.kchunks[f.slot >>> CHUNK_BITS];
  const o = (f.slot & CHUNK_MASK) * KEY_WORDS;
  const meta = K[o + K_META];
  if (((meta >>> 8) & 0xff) !== 6) return null;
  const port = K[o + K_PORTS] & 0xffff;
  if (ports instanceof Uint8Array ? ports[port] === 0 : !ports.has(port)) return null;
  const F = f.table.floats(f.slot);
  const b = FlowTable.base(f.slot);
  const up = F[b + F_DIR + D_PAYLOAD];
  const down = F[b + F_DIR + DIR_SLOTS + D_PAYLOAD];
  if (up <= 0 || down <= 0 || up > maxClientBytes) return null;
  if (F[b + F_LAST] - F[b + F_FIRST] > maxSec * 1e6) return null;
  const v6 = (meta & 0xff) === 6;
  return {
    service: AUTH_SERVICES[port] ?? `port ${port}`,
    client: key(K, o + K_SRC, v6),
    server: key(K, o + K_DST, v6),
    serverPort: port,
    timeUs: F[b + F_LAST],
  };
}

/** The flow id of an ended flow (as `FlowState.id` and `TxMeta.flowId` give it). */
export function endedFlowId(f: EndedFlow): number {
  return f.table.floats(f.slot)[FlowTable.base(f.slot) + F_ID];
}

/** HTTP status codes that refuse credentials. */
export function isHttpDenial(status: number): boolean {
  return status === 401 || status === 403;
}

/** Address key of 4 or 16 address bytes (as TxMeta gives them). */
export function bytesKey(a: Uint8Array): number | string {
  if (a.length === 4) return ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  return formatIPv6(a, 0);
}
