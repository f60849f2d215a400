/**
 * `sentra serve` as a library: {@link startDaemon} opens the data directory (database, token,
 * EVE file), the outputs, the pipeline, the firewall and the HTTP server, and returns a handle
 * whose `close()` stops them in the order that loses nothing: no new requests, the capture
 * and analyses stop and their open flows end, pending alerts are committed and written, then
 * the files close.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import type { Registry } from 'prom-client';
import { ApiContext } from '../api/index.js';
import { AlertResponder } from '../api/response/responder.js';
import { createDetectors } from '../detect/registry.js';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import { Firewall } from '../firewall/firewall.js';
import type { RuleSet } from '../ids/match/ruleset.js';
import { loadRuleFiles } from '../ids/rules/loader.js';
import { stopAllProxies } from '../proxy/api.js';
import { VERSION } from '../version.js';
import { AlertHub } from './alert-hub.js';
import { CaptureQueue } from './captures.js';
import { type DaemonConfig, daemonPaths } from './config.js';
import { demoCapturePath, demoRulesPath } from './demo.js';
import { createHandler } from './http/server.js';
import { EventHub } from './http/sse.js';
import { createMetrics } from './metrics.js';
import { EveFile } from './outputs/eve-file.js';
import { RedisOutput } from './outputs/redis.js';
import { type AnalyserFactory, Pipeline } from './pipeline.js';
import { ScanRunner } from './scans.js';
import { AlertStore } from './storage/alerts.js';
import { openDatabase, trimTable } from './storage/db.js';
import { CaptureStore, FlowStore, ScanStore } from './storage/records.js';
import { LoginCodes, loadOrCreateToken } from './token.js';
import { TrafficView } from './traffic.js';

export interface StartOptions {
  /** Analysers plugged into the pipeline (signature engine, detectors). */
  analysers?: AnalyserFactory[];
  /** Where notices go (default: stderr). */
  log?: (line: string) => void;
}

/** Everything a running daemon holds; the HTTP routes read and drive it. */
export interface DaemonState {
  config: DaemonConfig;
  startedMs: number;
  token: string;
  logins: LoginCodes;
  db: Database.Database;
  alerts: AlertStore;
  flows: FlowStore;
  scansStore: ScanStore;
  captures: CaptureStore;
  hub: AlertHub;
  eve: EveFile | null;
  redis: RedisOutput | null;
  traffic: TrafficView;
  pipeline: Pipeline;
  queue: CaptureQueue;
  scans: ScanRunner;
  firewall: Firewall | null;
  firewallNote: string | null;
  /** The facade's context: the spec's functions called through the API run in it. */
  api: ApiContext;
  rules: { files: string[]; loaded: number; skipped: number; ruleSet: RuleSet };
  events: EventHub;
  metrics: Registry;
  log: (line: string) => void;
}

export interface DaemonHandle {
  url: string;
  host: string;
  port: number;
  token: string;
  /** The token was made by this start (show it once). */
  tokenCreated: boolean;
  /** One-time dashboard login code; `${url}/#login=${code}` signs the browser in. */
  loginCode: string;
  state: DaemonState;
  close(): Promise<void>;
}

/** The rule files of `ids.rules`, or the built-in rules when none are named. */
function loadRules(c: DaemonConfig, log: (l: string) => void): DaemonState['rules'] {
  const files = c.ids.rules.length > 0 ? c.ids.rules : [demoRulesPath()];
  let r: ReturnType<typeof loadRuleFiles>;
  try {
    r = loadRuleFiles(files);
  } catch (e) {
    const err = toSentraError(e);
    throw new SentraError(ErrorCodes.INVALID_CONFIG, `configuration key ids.rules: ${err.message}`, {
      cause: e,
      details: { key: 'ids.rules', ...err.details },
    });
  }
  if (r.issues.length > 0) {
    const first = r.issues[0];
    log(
      `sentra serve: ${r.issues.length} rule(s) left out, e.g. ${first.file}:${first.line} ${first.keyword}: ${first.message}`,
    );
  }
  return { files, loaded: r.stats.loaded, skipped: r.issues.length, ruleSet: r.ruleSet };
}

async function openFirewall(c: DaemonConfig, dbPath: string, log: (l: string) => void) {
  if (c.firewall.backend === 'none')
    return { fw: null, note: 'firewall off (firewall.backend: none)', dbPath };
  const base = { dbPath, netns: c.firewall.netns ?? undefined, table: c.firewall.table };
  try {
    return { fw: await Firewall.open({ ...base, backend: c.firewall.backend }), note: null, dbPath };
  } catch (e) {
    if (c.firewall.backend !== 'auto') throw e;
    // `auto` as a user without CAP_NET_ADMIN: keep the API and dashboard working on a dry run
    const note = `firewall: ${(e as Error).message}; bans are recorded but not enforced (memory backend)`;
    log(`sentra serve: ${note}`);
    const memDb = dbPath.replace(/\.db$/, '-memory.db');
    const fw = await Firewall.open({ ...base, backend: 'memory', dbPath: memDb });
    return { fw, note, dbPath: memDb };
  }
}

export async function startDaemon(config: DaemonConfig, opts: StartOptions = {}): Promise<DaemonHandle> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const paths = daemonPaths(config);
  try {
    mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new SentraError(
      ErrorCodes.IO,
      `cannot create the data directory ${config.data_dir}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const closers: Array<() => unknown> = [];
  const undo = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const rules = loadRules(config, log);
    const { token, created } = loadOrCreateToken(paths.token);
    const db = openDatabase(paths.db);
    closers.push(() => db.close());
    const alerts = new AlertStore(db);
    const flows = new FlowStore(db);
    const scansStore = new ScanStore(db);
    const captures = new CaptureStore(db);
    const e = config.outputs.eve;
    const eve = e.enabled
      ? EveFile.open(paths.eve, {
          maxBytes: Math.floor(e.max_size_mb * 1024 * 1024),
          keep: e.keep,
          fsync: e.fsync,
        })
      : null;
    if (eve) closers.push(() => eve.close());
    if (eve && eve.repairedBytes > 0)
      log(`sentra serve: cut a partial last line (${eve.repairedBytes} bytes) from ${paths.eve}`);
    const r = config.outputs.redis;
    const redis = r.enabled
      ? new RedisOutput({ url: r.url, mode: r.mode, key: r.key, streamMaxLen: r.stream_maxlen })
      : null;
    if (redis) {
      closers.push(() => redis.close());
      if (!(await redis.ready(3000)))
        log(
          `sentra serve: Redis at ${r.url} is not answering yet (${redis.lastError ?? 'no answer'}); retrying`,
        );
    }
    const hub = new AlertHub({ store: alerts, eve, redis });
    closers.push(() => hub.drain());
    const traffic = new TrafficView();
    const pipeline = new Pipeline({
      hub,
      traffic,
      flows: config.flows.store ? flows : null,
      idleTimeout: config.flows.idle_timeout,
      activeTimeout: config.flows.active_timeout,
      ruleSet: () => rules.ruleSet,
      // the behavioural detectors (port scan, DoS, brute force, web attacks) with their
      // defaults, fresh for each source, then whatever the caller plugs in
      analysers: [...(config.ids.detectors ? [() => createDetectors()] : []), ...(opts.analysers ?? [])],
    });
    closers.push(() => pipeline.close());
    const events = new EventHub();
    closers.push(() => events.close());
    const {
      fw: firewall,
      note: firewallNote,
      dbPath: fwDb,
    } = await openFirewall(config, paths.firewallDb, log);
    // the spec's functions share the daemon's firewall (same backend object and store file)
    const apiAbort = new AbortController();
    const api = new ApiContext({
      signal: apiAbort.signal,
      firewall: firewall
        ? {
            backend: firewall.backend,
            dbPath: fwDb,
            reconcile: false,
            netns: config.firewall.netns ?? undefined,
          }
        : { backend: 'memory', dbPath: paths.firewallDb.replace(/\.db$/, '-api-memory.db') },
    });
    closers.push(async () => {
      apiAbort.abort();
      await api.dispose().catch((e: Error) => log(`sentra serve: ${e.message}`));
    });
    if (firewall) {
      const stop = firewall.startAutoReconcile(60_000);
      closers.push(() => {
        stop();
        firewall.close();
      });
    }
    const queue = new CaptureQueue({
      store: captures,
      pipeline,
      dir: paths.captures,
      inbox: paths.inbox,
      watchIntervalMs: config.capture.watch_interval * 1000,
      onChange: (job) => events.send('capture', job),
    });
    closers.push(() => queue.close());
    const scans = new ScanRunner(scansStore, (s) => events.send('scan', s));
    closers.push(() => scans.stopAll());
    closers.push(() => stopAllProxies(500));
    const metrics = createMetrics({
      pipeline,
      hub,
      scans,
      activeBans: async () => (firewall ? (await firewall.listRules({ kind: 'ban' })).length : 0),
      eveLines: () => eve?.lines ?? 0,
      redis: () => (redis ? { sent: redis.sent, dropped: redis.dropped, connected: redis.connected } : null),
    });
    const state: DaemonState = {
      config,
      startedMs: Date.now(),
      token,
      logins: new LoginCodes(),
      db,
      alerts,
      flows,
      scansStore,
      captures,
      hub,
      eve,
      redis,
      traffic,
      pipeline,
      queue,
      scans,
      firewall,
      firewallNote,
      api,
      rules,
      events,
      metrics,
      log,
    };
    hub.onCommit((batch) =>
      events.send(
        'alerts',
        batch.map((a) => ({ id: a.id, severity_word: a.severity_word, source: a.source, src_ip: a.src_ip })),
      ),
    );
    if (firewall && config.response.auto_ban) autoBan(state, firewall);
    const ticker = setInterval(() => {
      const now = Math.floor(Date.now() / 1000);
      events.send('stats', statsSnapshot(state, now));
    }, 1000);
    ticker.unref();
    closers.push(() => clearInterval(ticker));
    const trim = setInterval(() => {
      trimTable(db, 'alerts', config.storage.max_alerts);
      trimTable(db, 'flows', config.storage.max_flows);
    }, 60_000);
    trim.unref();
    closers.push(() => clearInterval(trim));

    const handler = createHandler(state);
    const server: Server = createServer((req, res) => {
      void handler(req, res);
    });
    server.requestTimeout = 0; // uploads of large captures take long; idle sockets still time out
    server.headersTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new SentraError(
            err.code === 'EACCES' ? ErrorCodes.PERMISSION_DENIED : ErrorCodes.IO,
            `cannot listen on ${config.http.host}:${config.http.port}: ${err.message} (set http.port or --port)`,
            { cause: err },
          ),
        ),
      );
      server.listen(config.http.port, config.http.host, () => resolve());
    });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

    // sources: live interface, watched folder, demo
    if (config.capture.interface) {
      pipeline.startLive(config.capture.interface, {
        netns: config.capture.netns,
        filter: config.capture.filter,
      });
    }
    queue.watch();
    if (config.capture.demo)
      queue.addFile(demoCapturePath(), 'sentra-demo.pcap', 'demo', config.capture.demo_speed);

    let closing: Promise<void> | null = null;
    return {
      url: `http://${host}:${port}`,
      host: config.http.host,
      port,
      token,
      tokenCreated: created,
      loginCode: state.logins.issue(),
      state,
      close: () => {
        closing ??= undo();
        return closing;
      },
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

/**
 * Bans the source of every committed alert at or above `response.min_severity`, one decision
 * at a time (the responder counts earlier bans for escalating ban times).
 */
function autoBan(s: DaemonState, fw: Firewall): void {
  const responder = new AlertResponder(fw, {
    minSeverity: s.config.response.min_severity,
    banTimeSec: s.config.response.ban_time,
  });
  let chain: Promise<unknown> = Promise.resolve();
  s.hub.onCommit((batch) => {
    for (const a of batch) {
      const alert = a.eve.alert as { signature?: string } | undefined;
      chain = chain.then(async () => {
        try {
          const d = await responder.handle({
            id: `alert-${a.id}`,
            src_ip: a.src_ip,
            severity: a.severity_word,
            message: alert?.signature ?? '',
          });
          if (d.action === 'banned') s.events.send('bans', await fw.listRules({ kind: 'ban' }));
        } catch (e) {
          s.log(`sentra serve: auto-ban of ${a.src_ip} failed: ${(e as Error).message}`);
        }
      });
    }
  });
}

/** The `stats` event and GET /api/traffic: chart point, totals, protocols, top talkers. */
export function statsSnapshot(s: DaemonState, nowSec: number) {
  return {
    time: nowSec,
    version: VERSION,
    uptime_s: Math.round((Date.now() - s.startedMs) / 1000),
    packets: s.pipeline.packets,
    bytes: s.pipeline.bytes,
    drops: s.pipeline.drops(),
    flows_active: s.pipeline.activeFlows(),
    flows_ended: s.pipeline.flowsEnded,
    alerts_committed: s.hub.committed,
    bandwidth: s.traffic.series(nowSec, 60),
    protocols: s.traffic.protocols(),
    top_talkers: s.traffic.topTalkers(10),
    live: s.pipeline.liveSource(),
  };
}
