/**
 * The SSH identification string (RFC 4253 4.2) that both sides send first:
 * `SSH-protoversion-softwareversion [SP comments] CR LF`.
 */

export interface SshBanner {
  /** The whole line without CR LF. */
  raw: string;
  /** "2.0" (or "1.99" for servers accepting both). */
  protocol: string;
  /** "OpenSSH_9.2p1", "libssh_0.10.4"... */
  software: string;
  /** Text after the first space, '' if none. */
  comments: string;
}

/** The line may be at most 255 characters including CR LF. */
const MAX_LINE = 255;

const latin1 = new TextDecoder('latin1');

export function parseSshBanner(buf: Uint8Array, off: number, len: number): SshBanner | null {
  const b = buf;
  if (len < 8 || b[off] !== 0x53 || b[off + 1] !== 0x53 || b[off + 2] !== 0x48 || b[off + 3] !== 0x2d)
    return null;
  const end = off + Math.min(len, MAX_LINE);
  let e = off;
  while (e < end && b[e] !== 0x0a && b[e] !== 0x0d) e++;
  const raw = latin1.decode(b.subarray(off, e));
  const dash = raw.indexOf('-', 4);
  if (dash < 0) return null;
  const sp = raw.indexOf(' ', dash);
  return {
    raw,
    protocol: raw.slice(4, dash),
    software: sp < 0 ? raw.slice(dash + 1) : raw.slice(dash + 1, sp),
    comments: sp < 0 ? '' : raw.slice(sp + 1),
  };
}
