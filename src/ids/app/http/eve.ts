/**
 * The EVE `http` object of a transaction, as Suricata writes it in alert and http records.
 */
import type { HttpTransaction } from './transaction.js';

export interface HttpEveRecord {
  /** Host from the URI or the Host header, without port (Suricata keeps its case from libhtp: lower-cased). */
  hostname?: string;
  /** The raw request URI (Suricata logs the URI as on the request line). */
  url?: string;
  http_user_agent?: string;
  http_content_type?: string;
  http_refer?: string;
  http_method?: string;
  protocol?: string;
  /** Response status code. */
  status?: number;
  /** Location header of the response. */
  redirect?: string;
  /** Response body length (after de-chunking, before decompression). */
  length: number;
  /** Port from the Host header or absolute URI, when given. */
  http_port?: number;
}

/** Builds the EVE `http` object of `tx` (allocates: for output only). */
export function httpEveRecord(tx: HttpTransaction): HttpEveRecord {
  void tx;
  throw new Error('not implemented');
}
