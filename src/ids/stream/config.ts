/**
 * Stream reassembly settings, named after Suricata's `stream:` section so that a
 * suricata.yaml reader can map them one to one (docs/ids-stream-http.md).
 */
import { ErrorCodes, SentraError } from '../../errors.js';

export interface StreamConfig {
  /**
   * Bytes reassembled per direction of a session (Suricata `stream.reassembly.depth`,
   * default 1 MiB). Bytes beyond are counted and dropped. 0 = no limit.
   */
  depth: number;
  /**
   * Out-of-order bytes held per direction while waiting for a hole to fill (default 256 KiB).
   * A segment that would go beyond makes the direction skip the hole (a counted gap).
   */
  maxOutOfOrderBytes: number;
  /**
   * Pick up sessions whose handshake was not seen (Suricata `stream.midstream`, default
   * false). When false, a session that does not begin with a SYN is not tracked: no stream
   * data, never `established`. When true, it is established from its first packet, as
   * Suricata does for midstream pick-ups.
   */
  midstream: boolean;
  /**
   * Sessions seen from one side only (Suricata `stream.async-oneside`, default false): a
   * session whose first packet is a SYN/ACK is picked up even with `midstream` off, and the
   * SYN/ACK sender's next ACK establishes it (the client's ACK is never seen).
   */
  asyncOneside: boolean;
  /** Most bytes `TcpSession.read` returns at once (default 32 KiB). */
  chunkSize: number;
}

export const DEFAULT_STREAM_CONFIG: Readonly<StreamConfig> = Object.freeze({
  depth: 1024 * 1024,
  maxOutOfOrderBytes: 256 * 1024,
  midstream: false,
  asyncOneside: false,
  chunkSize: 32 * 1024,
});

/** Defaults overridden by `partial`; throws SENTRA_ERR_INVALID_CONFIG on a negative or non-integer size. */
export function streamConfig(partial: Partial<StreamConfig> = {}): StreamConfig {
  const c = { ...DEFAULT_STREAM_CONFIG, ...partial };
  for (const k of ['depth', 'maxOutOfOrderBytes', 'chunkSize'] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 0 || (k === 'chunkSize' && v === 0)) {
      throw new SentraError(
        ErrorCodes.STREAM_CONFIG,
        `stream ${k} must be a ${k === 'chunkSize' ? 'positive' : 'non-negative'} integer, got ${v}`,
        {
          details: { key: k, value: v },
        },
      );
    }
  }
  return c;
}
