/** What filters see of a request: the parsed destination plus lazily built headers. */
import type { ClientConn } from '../core/connection.js';
import type { AbsoluteTarget } from '../http/uri.js';
import type { ProxyRequest } from './filters/types.js';

export class RequestView implements ProxyRequest {
  readonly method: string;
  readonly client: string;
  private headerCache: Record<string, string> | null = null;

  constructor(
    private readonly conn: ClientConn,
    readonly scheme: 'http' | 'https' | 'connect',
    readonly host: string,
    readonly port: number,
    readonly path: string,
    readonly url: string,
    readonly target: AbsoluteTarget | null = null,
  ) {
    this.method = conn.req.method;
    this.client = conn.clientIp;
  }

  get headers(): Readonly<Record<string, string>> {
    if (this.headerCache === null) this.headerCache = this.conn.req.toObject();
    return this.headerCache;
  }

  toJSON(): Omit<ProxyRequest, 'headers'> & { headers: Record<string, string> } {
    return {
      method: this.method,
      url: this.url,
      host: this.host,
      port: this.port,
      path: this.path,
      scheme: this.scheme,
      client: this.client,
      headers: { ...this.headers },
    };
  }
}
