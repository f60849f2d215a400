/**
 * Flows, scans and capture jobs in the daemon's database. Flows arrive in batches from the
 * pipeline (one transaction each); scans and capture jobs are small rows updated as they run.
 */
import type Database from 'better-sqlite3';
import type { FlowJson } from '../../flow/jsonl.js';
import { clause } from './alerts.js';

export interface FlowQuery {
  ip?: string;
  port?: number;
  protocol?: number;
  application?: string;
  capture?: string;
  min_bytes?: number;
  limit?: number;
  offset?: number;
}

export interface StoredFlow extends FlowJson {
  /** Row id in the store (flow `id` is the number within its capture). */
  row_id: number;
  capture: string | null;
}

export class FlowStore {
  private readonly insertTx: (rows: Array<{ flow: FlowJson; capture: string | null }>) => void;

  constructor(private readonly db: Database.Database) {
    const stmt = db.prepare(
      `INSERT INTO flows (flow_id, capture, src_ip, src_port, dst_ip, dst_port, protocol, application,
        first_seen_ms, last_seen_ms, packets, bytes, end_reason, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertTx = db.transaction((rows: Array<{ flow: FlowJson; capture: string | null }>) => {
      for (const { flow: f, capture } of rows) {
        stmt.run(
          f.id,
          capture,
          f.src_ip,
          f.src_port,
          f.dst_ip,
          f.dst_port,
          f.protocol,
          f.application_name,
          f.bidirectional_first_seen_ms,
          f.bidirectional_last_seen_ms,
          f.bidirectional_packets,
          f.bidirectional_bytes,
          f.end_reason,
          JSON.stringify(f),
        );
      }
    });
  }

  insert(rows: Array<{ flow: FlowJson; capture: string | null }>): void {
    if (rows.length > 0) this.insertTx(rows);
  }

  query(q: FlowQuery = {}): { total: number; limit: number; offset: number; flows: StoredFlow[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.ip) clause(where, args, '(src_ip = ? OR dst_ip = ?)', q.ip, q.ip);
    if (q.port !== undefined) clause(where, args, '(src_port = ? OR dst_port = ?)', q.port, q.port);
    if (q.protocol !== undefined) clause(where, args, 'protocol = ?', q.protocol);
    if (q.application) clause(where, args, 'application = ?', q.application);
    if (q.capture) clause(where, args, 'capture = ?', q.capture);
    if (q.min_bytes !== undefined) clause(where, args, 'bytes >= ?', q.min_bytes);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM flows ${filter}`).get(...args) as { n: number })
      .n;
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const offset = Math.max(0, q.offset ?? 0);
    const rows = this.db
      .prepare(`SELECT id, capture, record FROM flows ${filter} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as Array<{ id: number; capture: string | null; record: string }>;
    return {
      total,
      limit,
      offset,
      flows: rows.map((r) => ({ ...(JSON.parse(r.record) as FlowJson), row_id: r.id, capture: r.capture })),
    };
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM flows').get() as { n: number }).n;
  }
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ScanRecord {
  id: string;
  kind: string;
  target: string;
  params: Record<string, unknown>;
  status: JobStatus;
  done: number;
  total: number;
  created_ms: number;
  finished_ms: number | null;
  result: unknown;
  error: { code: string; message: string } | null;
}

interface ScanRow {
  id: string;
  kind: string;
  target: string;
  params: string;
  status: JobStatus;
  done: number;
  total: number;
  created_ms: number;
  finished_ms: number | null;
  result: string | null;
  error: string | null;
}

export class ScanStore {
  constructor(private readonly db: Database.Database) {
    // a scan cut off by a stop or a crash will never finish: say so instead of "running" forever
    db.prepare(
      `UPDATE scans SET status = 'failed', error = ?, finished_ms = ? WHERE status IN ('queued', 'running')`,
    ).run(
      JSON.stringify({
        code: 'SENTRA_ERR_INVALID_STATE',
        message: 'the daemon stopped before the scan ended',
      }),
      Date.now(),
    );
  }

  create(r: Pick<ScanRecord, 'id' | 'kind' | 'target' | 'params'>): void {
    this.db
      .prepare(
        `INSERT INTO scans (id, kind, target, params, status, created_ms) VALUES (?, ?, ?, ?, 'queued', ?)`,
      )
      .run(r.id, r.kind, r.target, JSON.stringify(r.params), Date.now());
  }

  progress(id: string, done: number, total: number): void {
    this.db
      .prepare(`UPDATE scans SET status = 'running', done = ?, total = ? WHERE id = ?`)
      .run(done, total, id);
  }

  finish(id: string, result: unknown, error: { code: string; message: string } | null): void {
    this.db
      .prepare(`UPDATE scans SET status = ?, result = ?, error = ?, finished_ms = ? WHERE id = ?`)
      .run(
        error ? 'failed' : 'done',
        result === undefined ? null : JSON.stringify(result),
        error ? JSON.stringify(error) : null,
        Date.now(),
        id,
      );
  }

  get(id: string): ScanRecord | null {
    const r = this.db.prepare('SELECT * FROM scans WHERE id = ?').get(id) as ScanRow | undefined;
    return r ? toScan(r) : null;
  }

  list(limit = 100): ScanRecord[] {
    return (
      this.db.prepare('SELECT * FROM scans ORDER BY created_ms DESC LIMIT ?').all(limit) as ScanRow[]
    ).map(toScan);
  }
}

function toScan(r: ScanRow): ScanRecord {
  return {
    ...r,
    params: JSON.parse(r.params) as Record<string, unknown>,
    result: r.result === null ? null : JSON.parse(r.result),
    error: r.error === null ? null : (JSON.parse(r.error) as { code: string; message: string }),
  };
}

export interface CaptureJob {
  id: string;
  name: string;
  /** upload, watch, demo or live. */
  origin: string;
  path: string | null;
  status: JobStatus;
  created_ms: number;
  finished_ms: number | null;
  packets: number;
  bytes: number;
  flows: number;
  alerts: number;
  error: { code: string; message: string } | null;
}

export class CaptureStore {
  constructor(private readonly db: Database.Database) {
    db.prepare(
      `UPDATE captures SET status = 'failed', error = ?, finished_ms = ? WHERE status = 'running'`,
    ).run(
      JSON.stringify({ code: 'SENTRA_ERR_INVALID_STATE', message: 'the daemon stopped during the analysis' }),
      Date.now(),
    );
  }

  create(j: Pick<CaptureJob, 'id' | 'name' | 'origin' | 'path'>): void {
    this.db
      .prepare(
        `INSERT INTO captures (id, name, origin, path, status, created_ms) VALUES (?, ?, ?, ?, 'queued', ?)`,
      )
      .run(j.id, j.name, j.origin, j.path, Date.now());
  }

  update(
    id: string,
    f: Partial<Pick<CaptureJob, 'status' | 'packets' | 'bytes' | 'flows' | 'alerts'>>,
  ): void {
    const keys = Object.keys(f) as Array<keyof typeof f>;
    if (keys.length === 0) return;
    this.db
      .prepare(`UPDATE captures SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`)
      .run(...keys.map((k) => f[k]), id);
  }

  finish(id: string, error: { code: string; message: string } | null): void {
    this.db
      .prepare(`UPDATE captures SET status = ?, error = ?, finished_ms = ? WHERE id = ?`)
      .run(error ? 'failed' : 'done', error ? JSON.stringify(error) : null, Date.now(), id);
  }

  /** Queued jobs left by a previous run (their files are still there): analysed again. */
  queued(): CaptureJob[] {
    return (
      this.db.prepare(`SELECT * FROM captures WHERE status = 'queued' ORDER BY created_ms`).all() as Array<
        Omit<CaptureJob, 'error'> & { error: string | null }
      >
    ).map(toJob);
  }

  get(id: string): CaptureJob | null {
    const r = this.db.prepare('SELECT * FROM captures WHERE id = ?').get(id) as
      | (Omit<CaptureJob, 'error'> & { error: string | null })
      | undefined;
    return r ? toJob(r) : null;
  }

  list(limit = 100): CaptureJob[] {
    return (
      this.db.prepare('SELECT * FROM captures ORDER BY created_ms DESC LIMIT ?').all(limit) as Array<
        Omit<CaptureJob, 'error'> & { error: string | null }
      >
    ).map(toJob);
  }
}

function toJob(r: Omit<CaptureJob, 'error'> & { error: string | null }): CaptureJob {
  return {
    ...r,
    error: r.error === null ? null : (JSON.parse(r.error) as { code: string; message: string }),
  };
}
