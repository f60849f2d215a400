/**
 * http.uri normalization as libhtp does it under Suricata's defaults (IDS personality with
 * lower-casing turned off): see docs/ids-stream-http.md for the exact steps.
 */

/** The normalized form of a raw request URI (a fresh array). */
export function normalizeUri(raw: Uint8Array): Uint8Array {
  void raw;
  throw new Error('not implemented');
}
