/**
 * Alerts in SQLite: the full EVE record plus the columns the API filters on. Inserts come in
 * batches, one transaction each; a query sees only committed batches, so whatever the API has
 * returned is on disk.
 */
import type Database from 'better-sqlite3';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { EveRecord } from '../../ids/eve.js';

export type SeverityWord = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITY_WORDS: readonly SeverityWord[] = ['low', 'medium', 'high', 'critical'];

/** An alert as the API returns it. */
export interface StoredAlert {
  id: number;
  timestamp: string;
  src_ip: string;
  src_port: number | null;
  dest_ip: string;
  dest_port: number | null;
  proto: string;
  gid: number;
  signature_id: number;
  signature: string;
  category: string;
  /** EVE priority (1 highest). */
  severity: number;
  /** The spec's word: low, medium, high, critical. */
  severity_word: SeverityWord;
  /** Who raised it: `signature`, a detector's name, or the ingest source. */
  source: string;
  /** The capture (upload name, interface) it came from, if any. */
  capture: string | null;
  flow_id: number | null;
  /** The full EVE record. */
  eve: EveRecord;
}

/** Filters of `GET /api/alerts`. */
export interface AlertQuery {
  severity?: SeverityWord[];
  source?: string[];
  src_ip?: string;
  dest_ip?: string;
  /** Either end. */
  ip?: string;
  signature_id?: number;
  /** Substring of the signature text. */
  q?: string;
  capture?: string;
  /** EVE time bounds, µs since the epoch. */
  since_us?: number;
  until_us?: number;
  /** Only ids below this (keyset paging from the newest). */
  before_id?: number;
  /** Only ids above this (what is new since the last look). */
  after_id?: number;
  limit?: number;
  offset?: number;
}

export interface AlertPage {
  total: number;
  limit: number;
  offset: number;
  alerts: StoredAlert[];
}

interface Row {
  id: number;
  eve: string;
  severity_word: SeverityWord;
  source: string;
  capture: string | null;
}

/** Adds one SQL condition and its values. */
export function clause(where: string[], args: unknown[], sql: string, ...vals: unknown[]): void {
  where.push(sql);
  args.push(...vals);
}

const TS_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/;

/** µs since the epoch of an EVE timestamp (`2019-08-21T19:27:04.663085+0000`); NaN when malformed. */
export function eveTimeUs(ts: unknown): number {
  if (typeof ts !== 'string') return Number.NaN;
  const m = TS_RE.exec(ts);
  if (!m) return Number.NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1e6) : 0;
  let off = 0;
  if (m[8] && m[8] !== 'Z') {
    const s = m[8].replace(':', '');
    off = (s[0] === '-' ? -1 : 1) * (Number(s.slice(1, 3)) * 60 + Number(s.slice(3, 5)));
  }
  return (ms - off * 60_000) * 1000 + frac;
}

function severityWordOf(eve: EveRecord, priority: number): SeverityWord {
  const meta = (eve.alert as { metadata?: Record<string, unknown> } | undefined)?.metadata;
  const w = Array.isArray(meta?.severity) ? meta.severity[0] : undefined;
  if (typeof w === 'string' && (SEVERITY_WORDS as string[]).includes(w)) return w as SeverityWord;
  return priority <= 1 ? 'high' : priority === 2 ? 'medium' : 'low';
}

function sourceOf(eve: EveRecord, fallback: string): string {
  const meta = (eve.alert as { metadata?: Record<string, unknown> } | undefined)?.metadata;
  const d = Array.isArray(meta?.detector) ? meta.detector[0] : undefined;
  return typeof d === 'string' && d !== '' ? d : fallback;
}

function str(v: unknown, key: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `EVE alert record needs a string ${key}`, {
      details: { key },
    });
  }
  return v;
}

function intOr(v: unknown, dflt: number | null): number | null {
  return Number.isInteger(v) ? (v as number) : dflt;
}

/** The columns of one EVE alert record, checked: a record without the alert fields is refused. */
export function alertColumns(eve: EveRecord, source: string, capture: string | null) {
  if (eve === null || typeof eve !== 'object' || Array.isArray(eve)) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'an EVE alert record must be a JSON object');
  }
  if (eve.event_type !== 'alert') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `EVE event_type must be "alert", got ${JSON.stringify(eve.event_type)}`,
      {
        details: { key: 'event_type' },
      },
    );
  }
  const a = eve.alert as Record<string, unknown> | undefined;
  if (a === null || typeof a !== 'object') {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'EVE alert record needs an alert object', {
      details: { key: 'alert' },
    });
  }
  const ts = eveTimeUs(eve.timestamp);
  if (!Number.isFinite(ts)) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `EVE timestamp is not ISO 8601: ${JSON.stringify(eve.timestamp)}`,
      {
        details: { key: 'timestamp' },
      },
    );
  }
  const priority = intOr(a.severity, 3) as number;
  return {
    ts_us: ts,
    src_ip: str(eve.src_ip, 'src_ip'),
    src_port: intOr(eve.src_port, null),
    dest_ip: str(eve.dest_ip, 'dest_ip'),
    dest_port: intOr(eve.dest_port, null),
    proto: typeof eve.proto === 'string' ? eve.proto : String(eve.proto ?? ''),
    gid: intOr(a.gid, 1) as number,
    signature_id: intOr(a.signature_id, 0) as number,
    signature: typeof a.signature === 'string' ? a.signature : '',
    category: typeof a.category === 'string' ? a.category : '',
    severity: priority,
    severity_word: severityWordOf(eve, priority),
    source: sourceOf(eve, source),
    capture,
    flow_id: intOr(eve.flow_id, null),
  };
}

export class AlertStore {
  private readonly insertStmt: Database.Statement;
  private readonly insertMany: (
    rows: Array<{ eve: EveRecord; source: string; capture: string | null }>,
  ) => number[];

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (ts_us, received_ms, src_ip, src_port, dest_ip, dest_port, proto, gid, signature_id,
        signature, category, severity, severity_word, source, capture, flow_id, eve)
       VALUES (@ts_us, @received_ms, @src_ip, @src_port, @dest_ip, @dest_port, @proto, @gid, @signature_id,
        @signature, @category, @severity, @severity_word, @source, @capture, @flow_id, @eve)`,
    );
    this.insertMany = db.transaction((rows) => {
      const now = Date.now();
      const ids: number[] = [];
      for (const r of rows) {
        const cols = alertColumns(r.eve, r.source, r.capture);
        const info = this.insertStmt.run({ ...cols, received_ms: now, eve: JSON.stringify(r.eve) });
        ids.push(Number(info.lastInsertRowid));
      }
      return ids;
    });
  }

  /** Stores a batch in one transaction (all or nothing); returns the new ids in order. */
  insert(rows: Array<{ eve: EveRecord; source: string; capture: string | null }>): number[] {
    return rows.length === 0 ? [] : this.insertMany(rows);
  }

  get(id: number): StoredAlert | null {
    const r = this.db
      .prepare('SELECT id, eve, severity_word, source, capture FROM alerts WHERE id = ?')
      .get(id) as Row | undefined;
    return r ? toAlert(r) : null;
  }

  query(q: AlertQuery = {}): AlertPage {
    const where: string[] = [];
    const args: unknown[] = [];
    const inList = (col: string, vals: string[] | undefined) => {
      if (vals && vals.length > 0) {
        where.push(`${col} IN (${vals.map(() => '?').join(',')})`);
        args.push(...vals);
      }
    };
    inList('severity_word', q.severity);
    inList('source', q.source);
    if (q.src_ip) clause(where, args, 'src_ip = ?', q.src_ip);
    if (q.dest_ip) clause(where, args, 'dest_ip = ?', q.dest_ip);
    if (q.ip) clause(where, args, '(src_ip = ? OR dest_ip = ?)', q.ip, q.ip);
    if (q.signature_id !== undefined) clause(where, args, 'signature_id = ?', q.signature_id);
    if (q.q)
      clause(where, args, "signature LIKE ? ESCAPE '\\'", `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (q.capture) clause(where, args, 'capture = ?', q.capture);
    if (q.since_us !== undefined) clause(where, args, 'ts_us >= ?', q.since_us);
    if (q.until_us !== undefined) clause(where, args, 'ts_us < ?', q.until_us);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM alerts ${filter}`).get(...args) as { n: number }
    ).n;
    const page = [...where];
    const pargs = [...args];
    if (q.before_id !== undefined) clause(page, pargs, 'id < ?', q.before_id);
    if (q.after_id !== undefined) clause(page, pargs, 'id > ?', q.after_id);
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const offset = Math.max(0, q.offset ?? 0);
    const rows = this.db
      .prepare(
        `SELECT id, eve, severity_word, source, capture FROM alerts ${page.length ? `WHERE ${page.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT ? OFFSET ?`,
      )
      .all(...pargs, limit, offset) as Row[];
    return { total, limit, offset, alerts: rows.map(toAlert) };
  }

  /** Counts by severity word and by source (dashboard filters, metrics on start). */
  counts(): { by_severity: Record<string, number>; by_source: Record<string, number>; total: number } {
    const by_severity: Record<string, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    const by_source: Record<string, number> = {};
    let total = 0;
    for (const r of this.db
      .prepare('SELECT severity_word AS w, source AS s, COUNT(*) AS n FROM alerts GROUP BY w, s')
      .all() as Array<{ w: string; s: string; n: number }>) {
      by_severity[r.w] = (by_severity[r.w] ?? 0) + r.n;
      by_source[r.s] = (by_source[r.s] ?? 0) + r.n;
      total += r.n;
    }
    return { by_severity, by_source, total };
  }

  maxId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM alerts').get() as { m: number }).m;
  }
}

function toAlert(r: Row): StoredAlert {
  const eve = JSON.parse(r.eve) as EveRecord & Record<string, unknown>;
  const a = (eve.alert ?? {}) as Record<string, unknown>;
  return {
    id: r.id,
    timestamp: String(eve.timestamp),
    src_ip: String(eve.src_ip),
    src_port: (eve.src_port as number | undefined) ?? null,
    dest_ip: String(eve.dest_ip),
    dest_port: (eve.dest_port as number | undefined) ?? null,
    proto: String(eve.proto ?? ''),
    gid: (a.gid as number) ?? 1,
    signature_id: (a.signature_id as number) ?? 0,
    signature: String(a.signature ?? ''),
    category: String(a.category ?? ''),
    severity: (a.severity as number) ?? 3,
    severity_word: r.severity_word,
    source: r.source,
    capture: r.capture,
    flow_id: (eve.flow_id as number | undefined) ?? null,
    eve,
  };
}
