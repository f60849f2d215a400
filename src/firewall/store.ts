/**
 * The firewall's state in SQLite: every ban, allow, port block and custom rule with its reason
 * and expiry, the chain policies, the management allowlist, and the ban history that escalating
 * ban times count. The store is the truth that the kernel is reconciled with on start; a
 * restart therefore keeps every ban expiring at its original time.
 */
import Database from 'better-sqlite3';
import { ErrorCodes, SentraError } from '../errors.js';
import type { PortRange } from '../net/address.js';
import type { Chain, Entry, EntryKind, RuleAction, RuleProtocol } from './model.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('ban', 'allow', 'port', 'rule')),
  chain TEXT NOT NULL,
  protocol TEXT NOT NULL,
  src TEXT,
  dst TEXT,
  src_from INTEGER, src_to INTEGER,
  dst_from INTEGER, dst_to INTEGER,
  action TEXT NOT NULL,
  target TEXT,
  reason TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT 'api',
  position INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS entries_target ON entries (kind, target) WHERE target IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS ban_history (
  target TEXT NOT NULL,
  banned_at INTEGER NOT NULL,
  duration_ms INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT 'api'
);
CREATE INDEX IF NOT EXISTS ban_history_target ON ban_history (target, banned_at);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface Row {
  id: string;
  kind: EntryKind;
  chain: Chain;
  protocol: RuleProtocol;
  src: string | null;
  dst: string | null;
  src_from: number | null;
  src_to: number | null;
  dst_from: number | null;
  dst_to: number | null;
  action: RuleAction;
  target: string | null;
  reason: string;
  source: string;
  position: number;
  created_at: number;
  expires_at: number | null;
}

function range(from: number | null, to: number | null): PortRange | null {
  return from === null || to === null ? null : { from, to };
}

function toEntry(r: Row): Entry {
  return {
    id: r.id,
    kind: r.kind,
    chain: r.chain,
    protocol: r.protocol,
    src: r.src,
    dst: r.dst,
    srcPort: range(r.src_from, r.src_to),
    dstPort: range(r.dst_from, r.dst_to),
    action: r.action,
    reason: r.reason,
    source: r.source,
    position: r.position,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

/** The unique key of a ban/allow (its address) or port block (`tcp:1000-2000`); null for rules. */
export function entryKey(e: Pick<Entry, 'kind' | 'src' | 'protocol' | 'dstPort'>): string | null {
  if (e.kind === 'ban' || e.kind === 'allow') return e.src;
  if (e.kind === 'port' && e.dstPort) return `${e.protocol}:${e.dstPort.from}-${e.dstPort.to}`;
  return null;
}

/** One ban as remembered for escalation. */
export interface BanHistoryRow {
  target: string;
  bannedAt: number;
  durationMs: number | null;
  reason: string;
  source: string;
}

export class FirewallStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<FirewallStore['prepare']>;

  constructor(path: string) {
    this.path = path;
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit does not wait for fsync; the database stays consistent after a
      // crash, which may lose the last changes, as it loses the kernel's state anyway
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new SentraError(
        ErrorCodes.IO,
        `cannot open the firewall state database ${path}: ${(e as Error).message}`,
        {
          cause: e,
          details: { path },
        },
      );
    }
    const v = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as
      | { value: string }
      | undefined;
    if (!v)
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
    else if (Number(v.value) > SCHEMA_VERSION) {
      throw new SentraError(
        ErrorCodes.INVALID_STATE,
        `${path} was written by a newer Sentra (schema ${v.value}); upgrade Sentra to use it`,
      );
    }
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      upsert: db.prepare(`INSERT OR REPLACE INTO entries
        (id, kind, chain, protocol, src, dst, src_from, src_to, dst_from, dst_to, action, target, reason, source,
         position, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      keys: db.prepare('SELECT target, id FROM entries WHERE kind = ? AND target IS NOT NULL').raw(),
      activeAddrs: db
        .prepare(
          "SELECT id, kind, src, expires_at FROM entries WHERE kind IN ('ban', 'allow') AND (expires_at IS NULL OR expires_at > ?)",
        )
        .raw(),
      active: db.prepare(
        'SELECT * FROM entries WHERE expires_at IS NULL OR expires_at > ? ORDER BY kind, position, created_at, id',
      ),
      activeKind: db.prepare(
        'SELECT * FROM entries WHERE kind = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY position, created_at, id',
      ),
      byTarget: db.prepare('SELECT * FROM entries WHERE kind = ? AND target = ?'),
      byId: db.prepare('SELECT * FROM entries WHERE id = ?'),
      del: db.prepare('DELETE FROM entries WHERE id = ?'),
      expired: db.prepare('SELECT * FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      purge: db.prepare('DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      maxPos: db.prepare("SELECT MAX(position) AS p FROM entries WHERE kind = 'rule' AND chain = ?"),
      hist: db.prepare(
        'INSERT INTO ban_history (target, banned_at, duration_ms, reason, source) VALUES (?, ?, ?, ?, ?)',
      ),
      histCount: db.prepare('SELECT COUNT(*) AS n FROM ban_history WHERE target = ? AND banned_at >= ?'),
      histList: db.prepare('SELECT * FROM ban_history WHERE target = ? ORDER BY banned_at'),
      histPurge: db.prepare('DELETE FROM ban_history WHERE banned_at < ?'),
      getSetting: db.prepare('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)'),
    };
  }

  /** Entries not yet expired at `now`, all kinds. */
  active(now: number): Entry[] {
    return (this.stmts.active.all(now) as Row[]).map(toEntry);
  }

  activeOfKind(kind: EntryKind, now: number): Entry[] {
    return (this.stmts.activeKind.all(kind, now) as Row[]).map(toEntry);
  }

  /** The entry holding this key (expired or not). */
  byKey(kind: EntryKind, key: string): Entry | null {
    const r = this.stmts.byTarget.get(kind, key) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  /** Every key of one kind (expired or not) with its entry id: one query for a bulk request. */
  keysOfKind(kind: EntryKind): Map<string, string> {
    const m = new Map<string, string>();
    for (const [target, id] of this.stmts.keys.all(kind) as [string, string][]) m.set(target, id);
    return m;
  }

  /** Active bans and allows, lean (id, kind, address, expiry), unordered: what reconciliation needs. */
  activeAddresses(
    now: number,
  ): { id: string; kind: 'ban' | 'allow'; src: string; expiresAt: number | null }[] {
    return (this.stmts.activeAddrs.all(now) as [string, 'ban' | 'allow', string, number | null][]).map(
      ([id, kind, src, expiresAt]) => ({ id, kind, src, expiresAt }),
    );
  }

  get(id: string): Entry | null {
    const r = this.stmts.byId.get(id) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  /** Inserts or replaces entries by id, all or none. */
  upsert(entries: readonly Entry[]): void {
    const tx = this.db.transaction((list: readonly Entry[]) => this.write(list));
    tx(entries);
  }

  /**
   * Opens a transaction that stays open across awaits, so that a bulk change can be written
   * while the kernel applies it and committed only once the kernel accepted it. The caller
   * serialises operations; nothing else may use the store until `commit` or `rollback`.
   */
  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }

  commit(): void {
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** Writes entries inside the caller's transaction. */
  write(entries: readonly Entry[], from = 0, to = entries.length): void {
    for (let i = from; i < to; i++) {
      const e = entries[i];
      // positional parameters: binding 17 named ones costs more than the insert at 100k rows
      this.stmts.upsert.run(
        e.id,
        e.kind,
        e.chain,
        e.protocol,
        e.src,
        e.dst,
        e.srcPort?.from ?? null,
        e.srcPort?.to ?? null,
        e.dstPort?.from ?? null,
        e.dstPort?.to ?? null,
        e.action,
        entryKey(e),
        e.reason,
        e.source,
        e.position,
        e.createdAt,
        e.expiresAt,
      );
    }
  }

  delete(ids: readonly string[]): void {
    const tx = this.db.transaction((list: readonly string[]) => {
      for (const id of list) this.stmts.del.run(id);
    });
    tx(ids);
  }

  /** Removes entries that expired at or before `now` and returns them. */
  purgeExpired(now: number): Entry[] {
    const gone = (this.stmts.expired.all(now) as Row[]).map(toEntry);
    if (gone.length) this.stmts.purge.run(now);
    return gone;
  }

  /** Removes every entry (settings and history stay). */
  clearEntries(): number {
    return this.db.prepare('DELETE FROM entries').run().changes;
  }

  nextPosition(chain: Chain): number {
    const r = this.stmts.maxPos.get(chain) as { p: number | null };
    return (r.p ?? 0) + 1;
  }

  addHistory(rows: readonly BanHistoryRow[]): void {
    const tx = this.db.transaction((list: readonly BanHistoryRow[]) => this.writeHistory(list));
    tx(rows);
  }

  /** Writes history rows inside the caller's transaction. */
  writeHistory(rows: readonly BanHistoryRow[], from = 0, to = rows.length): void {
    for (let i = from; i < to; i++) {
      const h = rows[i];
      this.stmts.hist.run(h.target, h.bannedAt, h.durationMs, h.reason, h.source);
    }
  }

  /** How many times `target` was banned at or after `since`. */
  historyCount(target: string, since: number): number {
    return (this.stmts.histCount.get(target, since) as { n: number }).n;
  }

  history(target: string): BanHistoryRow[] {
    return (
      this.stmts.histList.all(target) as {
        target: string;
        banned_at: number;
        duration_ms: number | null;
        reason: string;
        source: string;
      }[]
    ).map((r) => ({
      target: r.target,
      bannedAt: r.banned_at,
      durationMs: r.duration_ms,
      reason: r.reason,
      source: r.source,
    }));
  }

  purgeHistory(before: number): number {
    return this.stmts.histPurge.run(before).changes;
  }

  getSetting<T>(key: string): T | undefined {
    const r = this.stmts.getSetting.get(key) as { value: string } | undefined;
    if (!r) return undefined;
    try {
      return JSON.parse(r.value) as T;
    } catch {
      return undefined;
    }
  }

  setSetting(key: string, value: unknown): void {
    this.stmts.setSetting.run(key, JSON.stringify(value));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
