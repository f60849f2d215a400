/**
 * HTTP parser settings, after Suricata's `app-layer.protocols.http.libhtp.default-config`.
 */
import { ErrorCodes, SentraError } from '../../../errors.js';

export interface HttpConfig {
  /**
   * Request body bytes kept per transaction for inspection, after de-chunking and
   * decompression (Suricata `request-body-limit`, default 100 KiB). 0 = no limit.
   */
  requestBodyLimit: number;
  /** Response body bytes kept per transaction (Suricata `response-body-limit`, default 100 KiB). 0 = no limit. */
  responseBodyLimit: number;
  /** Decompress gzip / deflate Content-Encoding (default true, as libhtp does for responses and Suricata for requests). */
  decompress: boolean;
  /**
   * Most decompressed bytes produced from one body (Suricata's `compression-bomb-limit`,
   * default 1 MiB); the body limits above still apply to what is kept.
   */
  decompressLimit: number;
  /** Most decompression layers applied to one body (Suricata's `response-body-decompress-layer-limit`, default 2). */
  decompressLayerLimit: number;
  /** Longest start line + header block accepted (default 64 KiB); beyond, the direction is invalid. */
  maxHeaderBytes: number;
  /**
   * Keep message bodies (de-chunked, decompressed) on the transactions and report their
   * growth as BODY events (default true). Off, bodies are walked for framing and only their
   * lengths counted: nothing is copied or decompressed, `body` stays unset and no
   * REQUEST_BODY / RESPONSE_BODY events come. The IDS engine turns it off when nothing reads
   * bodies (no transaction rules, no fileinfo or stats records, no HTTP observers).
   */
  keepBodies: boolean;
}

export const DEFAULT_HTTP_CONFIG: Readonly<HttpConfig> = Object.freeze({
  requestBodyLimit: 100 * 1024,
  responseBodyLimit: 100 * 1024,
  decompress: true,
  decompressLimit: 1024 * 1024,
  decompressLayerLimit: 2,
  maxHeaderBytes: 64 * 1024,
  keepBodies: true,
});

/** Defaults overridden by `partial`; throws SENTRA_ERR_STREAM_CONFIG on a negative or non-integer size. */
export function httpConfig(partial: Partial<HttpConfig> = {}): HttpConfig {
  const c = { ...DEFAULT_HTTP_CONFIG, ...partial };
  for (const k of [
    'requestBodyLimit',
    'responseBodyLimit',
    'decompressLimit',
    'decompressLayerLimit',
    'maxHeaderBytes',
  ] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 0) {
      throw new SentraError(ErrorCodes.STREAM_CONFIG, `http ${k} must be a non-negative integer, got ${v}`, {
        details: { key: k, value: v },
      });
    }
  }
  return c;
}
