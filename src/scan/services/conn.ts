/**
 * Small socket conversations for service detection: connect (plain or TLS), optionally send a
 * probe, and collect what comes back until the peer is quiet, closes, or a byte limit.
 */
import net from 'node:net';
import tls from 'node:tls';
import { isIp } from '../../net/address.js';

/** Most bytes kept from one answer: enough for headers, greetings and INFO sections. */
export const MAX_ANSWER_BYTES = 16 * 1024;

export interface TalkOptions {
  /** Longest wait for the first byte (ms). */
  waitMs: number;
  /** After data arrived, how long a silence ends the answer (ms). */
  idleMs?: number;
  maxBytes?: number;
}

/** Sends `payload` (if any) on `sock` and collects the answer. Never throws. */
export function talk(
  sock: net.Socket,
  payload: Buffer | null,
  opts: TalkOptions,
): Promise<{ data: Buffer; closed: boolean }> {
  const idleMs = opts.idleMs ?? 150;
  const maxBytes = opts.maxBytes ?? MAX_ANSWER_BYTES;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let timer = setTimeout(() => finish(false), opts.waitMs);
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      sock.off('error', onClose);
      sock.off('end', onClose);
      resolve({ data: Buffer.concat(chunks, size).subarray(0, maxBytes), closed });
    };
    const onData = (b: Buffer) => {
      chunks.push(b);
      size += b.length;
      if (size >= maxBytes) {
        finish(false);
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    const onClose = () => finish(true);
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.once('end', onClose);
    sock.once('error', onClose);
    if (sock.destroyed) {
      finish(true);
      return;
    }
    if (payload && payload.length > 0) sock.write(payload);
  });
}

/** Opens a TCP connection; resolves null when it fails or takes longer than `timeoutMs`. */
export function openTcp(
  address: string,
  port: number,
  timeoutMs: number,
): Promise<{ sock: net.Socket; rttMs: number } | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(null);
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.off('error', onErr);
      sock.on('error', () => undefined);
      resolve({ sock, rttMs: performance.now() - t0 });
    });
    const onErr = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(null);
    };
    sock.once('error', onErr);
  });
}

/** Completes a TLS handshake on a fresh connection; resolves null when the peer does not speak TLS. */
export function openTls(
  address: string,
  port: number,
  servername: string | undefined,
  timeoutMs: number,
): Promise<tls.TLSSocket | null> {
  return new Promise((resolve) => {
    const sock = tls.connect({
      host: address,
      port,
      // SNI must be a host name, never an address (RFC 6066 section 3)
      servername: servername && !isIp(servername) ? servername : undefined,
      // the scanner reads certificates, it does not trust them
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      // servers with small legacy keys or old protocols must still be readable
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(null);
    }, timeoutMs);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      sock.off('error', onErr);
      sock.on('error', () => undefined);
      resolve(sock);
    });
    const onErr = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(null);
    };
    sock.once('error', onErr);
  });
}
