/**
 * The EVE `http` object of a transaction, as Suricata writes it in alert and http records.
 */
import { hostOnly } from '../../match/http-buffers.js';
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

const text = (v: Uint8Array | string): string =>
  typeof v === 'string' ? v : Buffer.from(v).toString('latin1');

/** Builds the EVE `http` object of `tx` (allocates: for output only). */
export function httpEveRecord(tx: HttpTransaction): HttpEveRecord {
  const rec: HttpEveRecord = { length: tx.response ? tx.response.bodyLength : 0 };
  const req = tx.request;
  if (tx.requestProgress > 0) {
    const uri = text(req.rawUri);
    const abs = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri);
    const authority = abs ? abs[1].replace(/^.*@/, '') : tx.requestHeader('host');
    if (authority !== undefined) {
      const host = hostOnly(authority);
      if (host !== '') rec.hostname = host;
      const port = /:(\d+)$/.exec(authority.trim());
      if (port && !authority.trim().endsWith(']')) rec.http_port = Number(port[1]);
    }
    rec.url = uri;
    const ua = tx.requestHeader('user-agent');
    if (ua !== undefined) rec.http_user_agent = ua;
    const ref = tx.requestHeader('referer');
    if (ref !== undefined) rec.http_refer = ref;
    rec.http_method = text(req.method);
    if (req.protocol.length > 0) rec.protocol = text(req.protocol);
  }
  const resp = tx.response;
  if (resp) {
    const ct = tx.responseHeader('content-type');
    // Suricata logs the media type without its parameters
    if (ct !== undefined) rec.http_content_type = ct.split(';')[0].trim();
    if (resp.status >= 0) rec.status = resp.status;
    const loc = tx.responseHeader('location');
    if (loc !== undefined) rec.redirect = loc;
    if (rec.protocol === undefined && resp.protocol.length > 0) rec.protocol = text(resp.protocol);
  }
  return rec;
}
