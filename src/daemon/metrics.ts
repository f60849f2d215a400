/**
 * Prometheus metrics at /metrics (prom-client, one registry per daemon): what the pipeline
 * saw, alerts by severity and source, bans, proxy requests, backend health and scan
 * progress, plus the process metrics (memory, CPU, event-loop lag) prom-client collects.
 * Totals kept elsewhere are read when Prometheus scrapes, not pushed per packet.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { listProxies, proxyGetStats, reverseProxyGetHealth } from '../proxy/api.js';
import type { AlertHub } from './alert-hub.js';
import type { Pipeline } from './pipeline.js';
import type { ScanRunner } from './scans.js';

export interface MetricsSources {
  pipeline: Pipeline;
  hub: AlertHub;
  scans: ScanRunner;
  /** Active bans now (async: the firewall serialises its calls). */
  activeBans: () => Promise<number>;
  eveLines: () => number;
  redis: () => { sent: number; dropped: number; connected: boolean } | null;
}

/** A counter whose total lives elsewhere: each scrape adds what changed since the last. */
function mirrorCounter(reg: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [reg],
    collect() {
      const v = read();
      if (v > last) this.inc(v - last);
      last = Math.max(last, v);
    },
  });
}

export function createMetrics(s: MetricsSources): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: 'sentra_' });
  mirrorCounter(
    reg,
    'sentra_packets_total',
    'Packets analysed (live and capture files).',
    () => s.pipeline.packets,
  );
  mirrorCounter(
    reg,
    'sentra_bytes_total',
    'Bytes of the packets analysed (length on the wire).',
    () => s.pipeline.bytes,
  );
  mirrorCounter(reg, 'sentra_drops_total', 'Packets the kernel, interface or capture buffer dropped.', () =>
    s.pipeline.drops(),
  );
  mirrorCounter(
    reg,
    'sentra_flows_ended_total',
    'Flows that ended and were recorded.',
    () => s.pipeline.flowsEnded,
  );
  new Gauge({
    name: 'sentra_flows_active',
    help: 'Flows open now.',
    registers: [reg],
    collect() {
      this.set(s.pipeline.activeFlows());
    },
  });
  const alerts = new Counter({
    name: 'sentra_alerts_total',
    help: 'Alerts committed to the store, by severity and source.',
    labelNames: ['severity', 'source'],
    registers: [reg],
  });
  for (const sev of ['low', 'medium', 'high', 'critical'])
    alerts.inc({ severity: sev, source: 'signature' }, 0);
  s.hub.onCommit((batch) => {
    for (const a of batch) alerts.inc({ severity: a.severity_word, source: a.source });
  });
  new Gauge({
    name: 'sentra_alerts_pending',
    help: 'Alerts accepted but not yet committed.',
    registers: [reg],
    collect() {
      this.set(s.hub.pendingCount);
    },
  });
  mirrorCounter(reg, 'sentra_eve_lines_total', 'Lines written to the EVE file.', s.eveLines);
  new Gauge({
    name: 'sentra_redis_up',
    help: 'The Redis output is connected (absent when Redis output is off).',
    labelNames: [],
    registers: [reg],
    collect() {
      const r = s.redis();
      if (r) this.set(r.connected ? 1 : 0);
    },
  });
  mirrorCounter(reg, 'sentra_redis_sent_total', 'Alerts sent to Redis.', () => s.redis()?.sent ?? 0);
  mirrorCounter(
    reg,
    'sentra_redis_dropped_total',
    'Alerts not sent to Redis (it was away).',
    () => s.redis()?.dropped ?? 0,
  );
  new Gauge({
    name: 'sentra_bans_active',
    help: 'Addresses banned now.',
    registers: [reg],
    async collect() {
      this.set(await s.activeBans());
    },
  });
  new Gauge({
    name: 'sentra_proxy_requests',
    help: 'Requests handled by each forward proxy and load balancer since it started.',
    labelNames: ['proxy', 'kind'],
    registers: [reg],
    collect() {
      this.reset();
      const { forward, reverse } = listProxies();
      for (const id of forward) this.set({ proxy: id, kind: 'forward' }, proxyGetStats(id).requests_total);
      for (const id of reverse)
        this.set({ proxy: id, kind: 'reverse' }, reverseProxyGetHealth(id).total_requests);
    },
  });
  new Gauge({
    name: 'sentra_backend_up',
    help: 'Load-balancer backend health (1 healthy, 0 down).',
    labelNames: ['proxy', 'backend'],
    registers: [reg],
    collect() {
      this.reset();
      for (const id of listProxies().reverse) {
        for (const b of reverseProxyGetHealth(id).backends)
          this.set({ proxy: id, backend: b.url }, b.healthy ? 1 : 0);
      }
    },
  });
  const scan = (name: string, help: string, pick: (p: ReturnType<ScanRunner['progress']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [reg],
      collect() {
        this.set(pick(s.scans.progress()));
      },
    });
  scan('sentra_scans_running', 'Scans running now.', (p) => p.running);
  scan('sentra_scan_ports_done', 'Ports decided so far by the running scans.', (p) => p.done);
  scan('sentra_scan_ports_total', 'Ports to decide by the running scans.', (p) => p.total);
  return reg;
}
