/**
 * Section 3 of the spec, the load balancer: the proxy module's `reverse_proxy_*` functions, with
 * backend URLs renamed and confined by `--target-map`. Adding a backend whose URL is already in
 * the pool returns that backend instead of a second copy (the spec's health loop re-adds every
 * healthy backend that has served nothing yet; a duplicate would double its share).
 */

import {
  getReverseProxy,
  type ReverseProxyCreateOptions,
  reverseProxyAddBackend,
  reverseProxyCreate,
  reverseProxyGetHealth,
  reverseProxyRemoveBackend,
  reverseProxySetLoadBalancing,
} from '../../proxy/api.js';
import type { BackendSpec } from '../../proxy/reverse/proxy.js';
import type { ApiContext } from '../context.js';
import { defineApi } from '../types.js';

const PROXY_ID = {
  name: 'proxyID',
  type: 'string',
  doc: 'an `rproxy-…` id from reverse_proxy_create',
} as const;

function backendUrl(ctx: ApiContext, url: unknown): unknown {
  return typeof url === 'string' ? ctx.targets.mapUrl(url, 'backend') : url;
}

function mapBackend(ctx: ApiContext, b: unknown): unknown {
  if (b !== null && typeof b === 'object' && 'url' in b) return { ...b, url: backendUrl(ctx, b.url) };
  return backendUrl(ctx, b);
}

export const REVERSE_PROXY_FUNCTIONS = {
  reverse_proxy_create: defineApi({
    summary: 'Start a load-balancing reverse proxy in front of HTTP backends',
    params: [
      { name: 'port', type: 'port', doc: 'listen port (0: any free port)' },
      { name: 'backends', type: 'array', doc: 'a list of `{"url": ..., "weight": n}` maps or URLs' },
      {
        name: 'loadBalancing',
        type: 'string',
        optional: true,
        doc: '`round_robin` (default), `weighted_round_robin`, `least_connections`, `random`, `ip_hash`, `power_of_two`',
      },
      {
        name: 'options',
        type: 'map',
        optional: true,
        doc: 'extension: `host` (default 127.0.0.1), `health_check`, `passive_health`, `retries`, `log_requests`',
      },
    ],
    returns: '`{id, host, port, algorithm, backends: [{id, url, weight}], status: "running"}`',
    fn: async (
      ctx,
      port: number,
      backends: (BackendSpec | string)[],
      loadBalancing?: string | null,
      options?: ReverseProxyCreateOptions | null,
    ) => {
      const mapped = backends.map((b) => mapBackend(ctx, b)) as (BackendSpec | string)[];
      const r = await reverseProxyCreate(port, mapped, loadBalancing ?? 'round_robin', options ?? {});
      ctx.ownReverseProxy(r.id);
      return r;
    },
  }),
  reverse_proxy_add_backend: defineApi({
    summary: 'Add a backend at run time (an URL already in the pool returns that backend)',
    params: [
      PROXY_ID,
      { name: 'backendURL', type: 'string', doc: '`http://host:port`' },
      { name: 'weight', type: 'number', optional: true, doc: 'share for weighted strategies (default 1)' },
    ],
    returns: '`{id, url, weight, proxy_id, added}` (`added` false when the URL was already there)',
    fn: (ctx, proxyID: string, backendURL: string, weight?: number | null) => {
      const url = backendUrl(ctx, backendURL) as string;
      const p = getReverseProxy(proxyID);
      const same = p.backends.find((b) => b.url === url);
      if (same !== undefined)
        return { id: same.id, url: same.url, weight: same.weight, proxy_id: p.id, added: false };
      return { ...reverseProxyAddBackend(proxyID, url, weight ?? 1), added: true };
    },
  }),
  reverse_proxy_remove_backend: defineApi({
    summary: 'Remove a backend (requests in flight on it finish)',
    params: [PROXY_ID, { name: 'backendID', type: 'string', doc: 'a `backend-…` id, or its URL' }],
    returns: '`{id, removed}`',
    fn: (_ctx, proxyID: string, backendID: string) => reverseProxyRemoveBackend(proxyID, backendID),
  }),
  reverse_proxy_set_load_balancing: defineApi({
    summary: 'Switch the balancing strategy (takes effect for the next request)',
    params: [
      PROXY_ID,
      { name: 'algorithm', type: 'string', doc: 'a strategy name, as for reverse_proxy_create' },
    ],
    returns: '`{id, algorithm}`',
    fn: (_ctx, proxyID: string, algorithm: string) => reverseProxySetLoadBalancing(proxyID, algorithm),
  }),
  reverse_proxy_get_health: defineApi({
    summary: 'Health and counters of the proxy and each backend',
    params: [PROXY_ID],
    returns:
      '`{id, port, algorithm, total_requests, total_errors, backends_active, backends: [{id, url, weight, healthy, requests, errors, active_connections, latency_p50_ms, ...}]}`',
    fn: (_ctx, proxyID: string) => reverseProxyGetHealth(proxyID),
  }),
};
