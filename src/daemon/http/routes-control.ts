/**
 * API routes that act: dashboard sign-in, bans and firewall state, scans, proxies and load
 * balancers, and the spec's functions through the facade's table (`POST /api/functions/NAME`).
 */
import { API_FUNCTIONS, argsFromNamed, callApi } from '../../api/index.js';
import { ErrorCodes, SentraError } from '../../errors.js';
import { listProxies, proxyGetStats, reverseProxyGetHealth } from '../../proxy/api.js';
import type { DaemonState } from '../daemon.js';
import { SCAN_KINDS, type ScanRequest } from '../scans.js';
import { tokenMatches } from '../token.js';
import { q, type Route } from './router.js';

export const SESSION_COOKIE = 'sentra_session';

function firewallOf(s: DaemonState) {
  if (!s.firewall) {
    throw new SentraError(ErrorCodes.INVALID_STATE, 'the firewall is off (firewall.backend: none)');
  }
  return s.firewall;
}

function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `${what}: the body must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

export function controlRoutes(s: DaemonState): Route[] {
  const broadcastBans = async () => {
    if (s.firewall) s.events.send('bans', await s.firewall.listRules({ kind: 'ban' }));
  };
  return [
    {
      method: 'POST',
      path: '/api/session',
      auth: false,
      doc: {
        summary: 'Dashboard sign-in: {"token"} or a one-time {"code"} sets an HttpOnly session cookie',
        tags: ['daemon'],
        body: {
          schema: { type: 'object', properties: { token: { type: 'string' }, code: { type: 'string' } } },
        },
      },
      handler: async ({ json, res }) => {
        const b = objectBody(await json(), 'sign-in');
        const ok =
          (typeof b.token === 'string' && tokenMatches(s.token, b.token)) ||
          (typeof b.code === 'string' && s.logins.redeem(b.code));
        if (!ok) throw new SentraError(ErrorCodes.UNAUTHORIZED, 'wrong token or expired login code');
        res.setHeader('set-cookie', `${SESSION_COOKIE}=${s.token}; HttpOnly; SameSite=Strict; Path=/`);
        return { ok: true };
      },
    },
    {
      method: 'DELETE',
      path: '/api/session',
      auth: false,
      doc: { summary: 'Sign the dashboard out (clears the cookie)', tags: ['daemon'] },
      handler: ({ res }) => {
        res.setHeader('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
        return { ok: true };
      },
    },
    {
      method: 'GET',
      path: '/api/bans',
      doc: { summary: 'Active bans with their remaining time (time_remaining, seconds)', tags: ['firewall'] },
      handler: async () => ({ bans: await firewallOf(s).listRules({ kind: 'ban' }) }),
    },
    {
      method: 'POST',
      path: '/api/bans',
      doc: {
        summary: 'Ban an address or CIDR: {"ip", "duration" (seconds or 10m, optional), "reason"}',
        tags: ['firewall'],
        body: {
          schema: {
            type: 'object',
            required: ['ip'],
            properties: {
              ip: { type: 'string' },
              duration: { type: ['string', 'number'] },
              reason: { type: 'string' },
            },
          },
        },
      },
      handler: async ({ json }) => {
        const b = objectBody(await json(), 'ban');
        if (typeof b.ip !== 'string')
          throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'ip must be an address or CIDR', {
            details: { key: 'ip' },
          });
        const recs = await firewallOf(s).block(b.ip, {
          duration: b.duration as number | string | undefined,
          reason: typeof b.reason === 'string' ? b.reason : 'dashboard',
          source: 'api',
        });
        await broadcastBans();
        return recs[0];
      },
    },
    {
      method: 'DELETE',
      path: '/api/bans/:target',
      doc: {
        summary: 'Lift the ban of an address or CIDR (URL-encode the slash of a CIDR)',
        tags: ['firewall'],
      },
      handler: async ({ params }) => {
        const r = await firewallOf(s).unblock(params.target);
        if (r.removed.length === 0) {
          throw new SentraError(ErrorCodes.NOT_FOUND, `${params.target} is not banned`, {
            details: { target: params.target },
          });
        }
        await broadcastBans();
        return r;
      },
    },
    {
      method: 'GET',
      path: '/api/firewall',
      doc: { summary: 'Firewall statistics and every rule, ban, allow and port block', tags: ['firewall'] },
      handler: async () => {
        const fw = firewallOf(s);
        return { stats: await fw.getStats(), rules: await fw.listRules(), note: s.firewallNote };
      },
    },
    {
      method: 'POST',
      path: '/api/scans',
      doc: {
        summary: `Start a scan in the background: {"kind": ${SCAN_KINDS.join('|')}, "target", "ports", "protocol"}`,
        tags: ['scans'],
        body: {
          schema: {
            type: 'object',
            required: ['target'],
            properties: {
              kind: { type: 'string', enum: [...SCAN_KINDS] },
              target: { type: 'string' },
              ports: { type: ['string', 'integer'] },
              protocol: { type: 'string', enum: ['tcp', 'udp'] },
            },
          },
        },
      },
      handler: async ({ json }) => s.scans.start(objectBody(await json(), 'scan') as unknown as ScanRequest),
    },
    {
      method: 'GET',
      path: '/api/scans',
      doc: {
        summary: 'Scans, newest first, with progress and results',
        tags: ['scans'],
        query: { limit: { type: 'integer', description: 'default 100' } },
      },
      handler: ({ query }) => ({ scans: s.scansStore.list(q.int(query, 'limit', 1, 1000) ?? 100) }),
    },
    {
      method: 'GET',
      path: '/api/scans/:id',
      doc: { summary: 'One scan', tags: ['scans'] },
      handler: ({ params }) => {
        const r = s.scansStore.get(params.id);
        if (!r)
          throw new SentraError(ErrorCodes.NOT_FOUND, `no scan ${params.id}`, { details: { id: params.id } });
        return r;
      },
    },
    {
      method: 'GET',
      path: '/api/proxies',
      doc: {
        summary: 'Forward proxies (stats) and load balancers (backends with health)',
        tags: ['proxies'],
      },
      handler: () => {
        const { forward, reverse } = listProxies();
        return {
          forward: forward.map((id) => proxyGetStats(id)),
          reverse: reverse.map((id) => reverseProxyGetHealth(id)),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/functions',
      doc: {
        summary: "The spec's functions callable through POST /api/functions/{name}, with their parameters",
        tags: ['functions'],
      },
      handler: () => ({
        functions: Object.entries(API_FUNCTIONS).map(([name, f]) => ({
          name,
          summary: f.summary,
          params: f.params,
          returns: f.returns,
        })),
      }),
    },
    {
      method: 'POST',
      path: '/api/functions/:name',
      doc: {
        summary:
          'Call one of the spec\'s functions: {"args": [positional...]} or named arguments {"ipAddress": ...}',
        tags: ['functions'],
        body: { schema: { type: 'object' } },
      },
      handler: async ({ params, json }) => {
        const body = objectBody(await json(), params.name);
        const args = Array.isArray(body.args) ? body.args : argsFromNamed(params.name, body);
        const result = await callApi(s.api, params.name, args);
        if (params.name.startsWith('firewall_')) await broadcastBans();
        return { result: result === undefined ? null : result };
      },
    },
  ];
}
