/**
 * Section 2 of the spec, the forward proxy: the proxy module's spec functions (src/proxy/api.ts),
 * with upstream URLs renamed and confined by `--target-map`, and the proxies a context started
 * stopped when it is disposed.
 */

import {
  type ProxyStartOptions,
  proxyAddFilter,
  proxyGetLogs,
  proxyGetStats,
  proxySetUpstream,
  proxyStart,
  proxyStop,
} from '../../proxy/api.js';
import type { FilterInput } from '../../proxy/forward/filters/index.js';
import type { ApiContext } from '../context.js';
import { defineApi } from '../types.js';

const PROXY_ID = { name: 'proxyID', type: 'string', doc: 'a `proxy-…` id from proxy_start' } as const;

function upstream(ctx: ApiContext, url: string | null | undefined): string | null | undefined {
  return typeof url === 'string' && url !== '' ? ctx.targets.mapUrl(url, 'upstream proxy') : url;
}

export const PROXY_FUNCTIONS = {
  proxy_start: defineApi({
    summary: 'Start an HTTP/HTTPS (CONNECT) forward proxy',
    params: [
      { name: 'port', type: 'port', doc: 'listen port (0: any free port, read it from the result)' },
      {
        name: 'options',
        type: 'map',
        optional: true,
        doc: '`cache_enabled`, `log_requests`, `host` (default 127.0.0.1), `upstream`, `blocked_domains`, `allowed_domains`, `blocked_urls`, `allowed_methods`, `allowed_clients`, `auth`, ... (docs/proxy.md)',
      },
    ],
    returns: '`{id, host, port, status: "running"}`',
    fn: async (ctx, port: number, options?: ProxyStartOptions | null) => {
      const opts = { ...(options ?? {}) };
      if (opts.upstream !== undefined) opts.upstream = upstream(ctx, opts.upstream) ?? undefined;
      const r = await proxyStart(port, opts);
      ctx.ownForwardProxy(r.id);
      return r;
    },
  }),
  proxy_stop: defineApi({
    summary: 'Stop a forward proxy (requests in flight get a few seconds)',
    params: [PROXY_ID],
    returns: '`{id, stopped: true, stats}`',
    fn: async (ctx, proxyID: string) => {
      const r = await proxyStop(proxyID);
      ctx.forgetProxy(r.id);
      return r;
    },
  }),
  proxy_set_upstream: defineApi({
    summary: 'Chain through a parent proxy (`http://host:port`; empty or null: connect directly)',
    params: [PROXY_ID, { name: 'upstreamURL', type: 'string', optional: true, doc: 'parent proxy URL' }],
    returns: '`{id, upstream}`',
    fn: (ctx, proxyID: string, upstreamURL?: string | null) =>
      proxySetUpstream(proxyID, upstream(ctx, upstreamURL) ?? null),
  }),
  proxy_add_filter: defineApi({
    summary: 'Add a request filter: a function `(request) => verdict` or a filter map',
    params: [
      PROXY_ID,
      {
        name: 'filterFn',
        type: 'map|function',
        doc: 'a function of the request (`method`, `url`, `host`, `port`, `path`, `scheme`, `client`, `headers`) returning true/"allow" or false/"block"/a reason, or `{"type": "domain", "values": [...]}`',
      },
    ],
    returns: '`{id, filter, filters}`',
    fn: (_ctx, proxyID: string, filterFn: FilterInput) => proxyAddFilter(proxyID, filterFn),
  }),
  proxy_get_stats: defineApi({
    summary: 'Request, block, cache and byte counters of a forward proxy',
    params: [PROXY_ID],
    returns: '`{requests_total, requests_blocked, bytes_in, bytes_out, cache_hits, ...}`',
    fn: (_ctx, proxyID: string) => proxyGetStats(proxyID),
  }),
  proxy_get_logs: defineApi({
    summary: 'The most recent requests (oldest first)',
    params: [PROXY_ID, { name: 'limit', type: 'integer', optional: true, doc: 'most entries (default 100)' }],
    returns:
      'an array of log entries (`time`, `client`, `method`, `url`, `status`, `bytes`, `duration_ms`, `blocked_reason`, `cache`)',
    fn: (_ctx, proxyID: string, limit?: number | null) => proxyGetLogs(proxyID, limit ?? 100),
  }),
};
