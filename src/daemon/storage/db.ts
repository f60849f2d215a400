/**
 * The daemon's SQLite database: alerts, flows, scans and capture jobs in one file in the data
 * directory. WAL journal so that the API reads while the pipeline writes; `synchronous=FULL`
 * so that a transaction the API has seen committed survives a crash of the process or of the
 * machine (every commit is fsynced; alerts and flows are committed in batches to keep that
 * cheap). Bans live in the firewall's own store (firewall.db), which the firewall reconciles
 * with the kernel.
 */
import Database from 'better-sqlite3';
import { ErrorCodes, SentraError } from '../../errors.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  ts_us INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  src_ip TEXT NOT NULL,
  src_port INTEGER,
  dest_ip TEXT NOT NULL,
  dest_port INTEGER,
  proto TEXT NOT NULL,
  gid INTEGER NOT NULL,
  signature_id INTEGER NOT NULL,
  signature TEXT NOT NULL,
  category TEXT NOT NULL,
  severity INTEGER NOT NULL,
  severity_word TEXT NOT NULL,
  source TEXT NOT NULL,
  capture TEXT,
  flow_id INTEGER,
  eve TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_ts ON alerts (ts_us);
CREATE INDEX IF NOT EXISTS alerts_src ON alerts (src_ip);
CREATE INDEX IF NOT EXISTS alerts_dest ON alerts (dest_ip);
CREATE INDEX IF NOT EXISTS alerts_sev ON alerts (severity_word);
CREATE INDEX IF NOT EXISTS alerts_source ON alerts (source);
CREATE INDEX IF NOT EXISTS alerts_sid ON alerts (signature_id);
CREATE TABLE IF NOT EXISTS flows (
  id INTEGER PRIMARY KEY,
  flow_id INTEGER NOT NULL,
  capture TEXT,
  src_ip TEXT NOT NULL,
  src_port INTEGER NOT NULL,
  dst_ip TEXT NOT NULL,
  dst_port INTEGER NOT NULL,
  protocol INTEGER NOT NULL,
  application TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  end_reason TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flows_last ON flows (last_seen_ms);
CREATE INDEX IF NOT EXISTS flows_src ON flows (src_ip);
CREATE INDEX IF NOT EXISTS flows_dst ON flows (dst_ip);
CREATE TABLE IF NOT EXISTS scans (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  result TEXT,
  error TEXT
);
CREATE TABLE IF NOT EXISTS captures (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  origin TEXT NOT NULL,
  path TEXT,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  finished_ms INTEGER,
  packets INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  flows INTEGER NOT NULL DEFAULT 0,
  alerts INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
`;

/** Opens (creating) the database at `file` with the daemon's schema and durability settings. */
export function openDatabase(file: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot open the database ${file}: ${(e as Error).message}`, {
      cause: e,
      details: { file },
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
      | { value: string }
      | undefined;
    if (row === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    } else if (Number(row.value) > SCHEMA_VERSION) {
      throw new SentraError(
        ErrorCodes.INVALID_STATE,
        `${file} was written by a newer Sentra (schema ${row.value}); upgrade Sentra or use another data directory`,
      );
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Deletes the oldest rows of `table` beyond `keep` (0: keep all). */
export function trimTable(db: Database.Database, table: 'alerts' | 'flows', keep: number): number {
  if (keep <= 0) return 0;
  const max = db.prepare(`SELECT MAX(id) AS m FROM ${table}`).get() as { m: number | null };
  if (max.m === null || max.m <= keep) return 0;
  return db.prepare(`DELETE FROM ${table} WHERE id <= ?`).run(max.m - keep).changes;
}
