/**
 * API routes over what the daemon observed: status, alerts (filters, paging, ingest of EVE
 * records from any source), flows, traffic, capture uploads and their analysis jobs, the live
 * event stream.
 */
import { ErrorCodes, SentraError } from '../../errors.js';
import type { EveRecord } from '../../ids/eve.js';
import { VERSION } from '../../version.js';
import { type DaemonState, statsSnapshot } from '../daemon.js';
import { eveTimeUs, SEVERITY_WORDS, type SeverityWord } from '../storage/alerts.js';
import { HANDLED, q, type Route } from './router.js';

const alertQueryDoc = {
  severity: { type: 'string', description: 'low, medium, high, critical (repeat or comma-separate)' },
  source: { type: 'string', description: 'who raised it: signature, a detector name, import (repeatable)' },
  src_ip: { type: 'string', description: 'source address' },
  dest_ip: { type: 'string', description: 'destination address' },
  ip: { type: 'string', description: 'either end' },
  signature_id: { type: 'integer', description: 'rule sid' },
  q: { type: 'string', description: 'text in the signature message' },
  capture: { type: 'string', description: 'capture name (upload#id or interface)' },
  since: { type: 'string', description: 'ISO 8601 time: alerts at or after' },
  until: { type: 'string', description: 'ISO 8601 time: alerts before' },
  before_id: { type: 'integer', description: 'keyset paging: ids below this' },
  after_id: { type: 'integer', description: 'ids above this (what is new)' },
  limit: { type: 'integer', description: '1-1000, default 100' },
  offset: { type: 'integer', description: 'rows to skip' },
};

function timeParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const ms = Date.parse(v);
  const us = Number.isFinite(ms) ? ms * 1000 : eveTimeUs(v);
  if (!Number.isFinite(us)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `query parameter ${name} must be an ISO 8601 time, got ${JSON.stringify(v)}`,
      {
        details: { parameter: name },
      },
    );
  }
  return us;
}

/** Splits an ingest body: a JSON array, one object, or EVE JSON Lines text. */
function ingestRecords(body: unknown): EveRecord[] {
  if (Array.isArray(body)) return body as EveRecord[];
  if (body && typeof body === 'object') {
    const o = body as { records?: unknown };
    return Array.isArray(o.records) ? (o.records as EveRecord[]) : [body as EveRecord];
  }
  throw new SentraError(
    ErrorCodes.INVALID_ARGUMENT,
    'send EVE alert records: a JSON object, an array, or {"records": [...]}',
  );
}

export function dataRoutes(s: DaemonState): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/health',
      auth: false,
      doc: { summary: 'Liveness: the daemon answers (no token needed)', tags: ['daemon'] },
      handler: () => ({ status: 'ok', version: VERSION }),
    },
    {
      method: 'GET',
      path: '/api/status',
      doc: { summary: 'What the daemon is doing: sources, counters, outputs, firewall', tags: ['daemon'] },
      handler: () => ({
        version: VERSION,
        pid: process.pid,
        uptime_s: Math.round((Date.now() - s.startedMs) / 1000),
        data_dir: s.config.data_dir,
        live: s.pipeline.liveSource(),
        live_error: s.pipeline.liveError,
        packets: s.pipeline.packets,
        bytes: s.pipeline.bytes,
        drops: s.pipeline.drops(),
        flows_active: s.pipeline.activeFlows(),
        flows_ended: s.pipeline.flowsEnded,
        analysis_errors: s.pipeline.errors,
        analysis_first_error: s.pipeline.firstError,
        rules_loaded: s.rules.loaded,
        alerts: { committed: s.hub.committed, pending: s.hub.pendingCount, ...s.alerts.counts() },
        outputs: {
          eve: s.eve ? { path: s.eve.file, lines: s.eve.lines, rotations: s.eve.rotations } : null,
          redis: s.redis
            ? {
                connected: s.redis.connected,
                sent: s.redis.sent,
                dropped: s.redis.dropped,
                last_error: s.redis.lastError,
              }
            : null,
          last_error: s.hub.lastError,
        },
        firewall: s.firewall ? { backend: s.firewall.backend.name, note: s.firewallNote } : null,
        memory: process.memoryUsage(),
      }),
    },
    {
      method: 'GET',
      path: '/api/alerts',
      doc: {
        summary: 'Alerts, newest first, with filters and paging ({total, limit, offset, alerts})',
        tags: ['alerts'],
        query: alertQueryDoc,
      },
      handler: ({ query }) =>
        s.alerts.query({
          severity: q.list(query, 'severity', SEVERITY_WORDS) as SeverityWord[] | undefined,
          source: q.list(query, 'source'),
          src_ip: q.str(query, 'src_ip'),
          dest_ip: q.str(query, 'dest_ip'),
          ip: q.str(query, 'ip'),
          signature_id: q.int(query, 'signature_id'),
          q: q.str(query, 'q'),
          capture: q.str(query, 'capture'),
          since_us: timeParam(query, 'since'),
          until_us: timeParam(query, 'until'),
          before_id: q.int(query, 'before_id'),
          after_id: q.int(query, 'after_id'),
          limit: q.int(query, 'limit', 1, 1000),
          offset: q.int(query, 'offset'),
        }),
    },
    {
      method: 'GET',
      path: '/api/alerts/summary',
      doc: { summary: 'Alert counts by severity and by source', tags: ['alerts'] },
      handler: () => s.alerts.counts(),
    },
    {
      method: 'GET',
      path: '/api/alerts/:id',
      doc: { summary: 'One alert with its full EVE record', tags: ['alerts'] },
      handler: ({ params }) => {
        const id = Number(params.id);
        const a = Number.isInteger(id) ? s.alerts.get(id) : null;
        if (!a)
          throw new SentraError(ErrorCodes.NOT_FOUND, `no alert ${params.id}`, {
            details: { id: params.id },
          });
        return a;
      },
    },
    {
      method: 'POST',
      path: '/api/alerts',
      doc: {
        summary:
          'Ingest EVE alert records from any source (another sensor, a detector): checked, stored, written to the EVE file and Redis; answers once they are committed',
        tags: ['alerts'],
        body: { schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } },
        query: { source: { type: 'string', description: 'source name stored with them (default import)' } },
      },
      handler: async (ctx) => {
        const records = ingestRecords(await ctx.json());
        const source = q.str(ctx.query, 'source') ?? 'import';
        if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(source)) {
          throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'source must be 1-64 letters, digits, _ . : -');
        }
        // check all before accepting any: a bad record refuses the whole request
        records.forEach((r, i) => {
          try {
            s.hub.check(r, source);
          } catch (e) {
            throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `record ${i}: ${(e as Error).message}`, {
              details: { index: i },
            });
          }
        });
        const before = s.hub.committed;
        for (const r of records) s.hub.submit(r, { source, capture: null });
        s.hub.flush();
        return { accepted: records.length, committed: s.hub.committed - before };
      },
    },
    {
      method: 'GET',
      path: '/api/flows',
      doc: {
        summary: 'Ended flows, newest first (NFStream-style fields)',
        tags: ['flows'],
        query: {
          ip: { type: 'string', description: 'either end' },
          port: { type: 'integer', description: 'either port' },
          protocol: { type: 'integer', description: 'IP protocol number' },
          application: { type: 'string', description: 'application name' },
          capture: { type: 'string', description: 'capture name' },
          min_bytes: { type: 'integer', description: 'at least this many bytes' },
          limit: { type: 'integer', description: '1-1000, default 100' },
          offset: { type: 'integer', description: 'rows to skip' },
        },
      },
      handler: ({ query }) =>
        s.flows.query({
          ip: q.str(query, 'ip'),
          port: q.int(query, 'port', 0, 65535),
          protocol: q.int(query, 'protocol', 0, 255),
          application: q.str(query, 'application'),
          capture: q.str(query, 'capture'),
          min_bytes: q.int(query, 'min_bytes'),
          limit: q.int(query, 'limit', 1, 1000),
          offset: q.int(query, 'offset'),
        }),
    },
    {
      method: 'GET',
      path: '/api/traffic',
      doc: {
        summary: 'Bandwidth per second (last minute), protocol shares, top talkers, counters',
        tags: ['traffic'],
      },
      handler: () => statsSnapshot(s, Math.floor(Date.now() / 1000)),
    },
    {
      method: 'POST',
      path: '/api/captures',
      doc: {
        summary: 'Upload a pcap/pcapng file (the request body) to analyse; answers with its job',
        tags: ['captures'],
        query: { name: { type: 'string', description: 'file name to show (default upload.pcap)' } },
        body: { contentType: 'application/vnd.tcpdump.pcap', schema: { type: 'string', format: 'binary' } },
      },
      handler: (ctx) =>
        s.queue.upload(
          ctx.req,
          q.str(ctx.query, 'name') ?? 'upload.pcap',
          s.config.http.max_upload_mb * 1024 * 1024,
        ),
    },
    {
      method: 'GET',
      path: '/api/captures',
      doc: { summary: 'Capture analysis jobs, newest first', tags: ['captures'] },
      handler: () => ({ captures: s.captures.list(200) }),
    },
    {
      method: 'GET',
      path: '/api/captures/:id',
      doc: {
        summary: 'One capture analysis job (status, packets, flows, alerts, error)',
        tags: ['captures'],
      },
      handler: ({ params }) => {
        const j = s.captures.get(params.id);
        if (!j)
          throw new SentraError(ErrorCodes.NOT_FOUND, `no capture job ${params.id}`, {
            details: { id: params.id },
          });
        return j;
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      doc: {
        summary: 'Server-sent events: stats (every second), alerts, bans, scan, capture',
        tags: ['daemon'],
      },
      handler: ({ res }) => {
        if (!s.events.attach(res))
          throw new SentraError(ErrorCodes.INVALID_STATE, 'too many event-stream clients');
        s.events.sendTo(res, 'stats', statsSnapshot(s, Math.floor(Date.now() / 1000)));
        return HANDLED;
      },
    },
  ];
}
