/**
 * Sends complete IP packets (header included) through a raw socket: the primitive under a
 * SYN scan, where the prober writes its own IP and TCP headers and reads the answers through a
 * LiveCapture. The socket only sends (IPPROTO_RAW never receives) and never blocks: when the
 * kernel's send buffer is full, `send` returns false and the caller retries later.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import { loadPcapAddon, type NativeHandle, type PcapAddon } from './addon.js';
import { fromNativeError } from './native-errors.js';

export interface RawSocketOptions {
  /** Create the socket inside this network namespace. */
  netns?: string;
  /** Send only through this interface (SO_BINDTODEVICE). */
  device?: string;
}

export class RawSocket {
  /** 4 or 6. */
  readonly family: 4 | 6;
  private readonly addon: PcapAddon;
  private readonly handle: NativeHandle;
  private closed = false;

  private constructor(addon: PcapAddon, handle: NativeHandle, family: 4 | 6) {
    this.addon = addon;
    this.handle = handle;
    this.family = family;
  }

  /**
   * Opens a raw IPv4 or IPv6 socket (needs root or CAP_NET_RAW).
   * @throws SentraError PERMISSION_DENIED, NOT_FOUND (device or namespace), CAPTURE_UNAVAILABLE.
   */
  static open(family: 4 | 6, options: RawSocketOptions = {}): RawSocket {
    if (family !== 4 && family !== 6) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'family must be 4 or 6', { details: { family } });
    }
    const addon = loadPcapAddon();
    try {
      return new RawSocket(
        addon,
        addon.rawOpen(family, { netns: options.netns, device: options.device }),
        family,
      );
    } catch (e) {
      throw fromNativeError(e, { op: 'RawSocket.open', interface: options.device, netns: options.netns });
    }
  }

  /**
   * Sends one IP packet (starting with its IPv4/IPv6 header) towards `dst`, which routes it.
   * Returns false when the send buffer is full (nothing was sent; try again later).
   * @throws SentraError CAPTURE_SEND_FAILED (e.g. no route, bad header), INVALID_STATE once closed.
   */
  send(packet: Uint8Array, dst: string): boolean {
    if (this.closed) throw new SentraError(ErrorCodes.INVALID_STATE, 'the raw socket is closed');
    if (!(packet instanceof Uint8Array)) {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'packet must be a Uint8Array');
    }
    try {
      return this.addon.rawSend(this.handle, packet, dst) >= 0;
    } catch (e) {
      throw fromNativeError(e, { op: `raw send to ${dst}` });
    }
  }

  /** Closes the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.rawClose(this.handle);
  }
}
