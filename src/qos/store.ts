/** The shaping limits Sentra created, in SQLite, so that `list` and `clear` know what is ours. */
import Database from 'better-sqlite3';
import { ErrorCodes, SentraError } from '../errors.js';

export type QosDirection = 'egress' | 'ingress';

export interface QosLimit {
  /** `qos-` + 12 hex digits. */
  id: string;
  iface: string;
  direction: QosDirection;
  /** Canonical address or CIDR. */
  address: string;
  rateKbit: number;
  ceilKbit: number;
  priority: number;
  /** Class minor number (also the filter priority). */
  minor: number;
  createdAt: number;
}

interface Row {
  id: string;
  iface: string;
  direction: QosDirection;
  address: string;
  rate_kbit: number;
  ceil_kbit: number;
  priority: number;
  minor: number;
  created_at: number;
}

const toLimit = (r: Row): QosLimit => ({
  id: r.id,
  iface: r.iface,
  direction: r.direction,
  address: r.address,
  rateKbit: r.rate_kbit,
  ceilKbit: r.ceil_kbit,
  priority: r.priority,
  minor: r.minor,
  createdAt: r.created_at,
});

export class QosStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(`CREATE TABLE IF NOT EXISTS qos_limits (
        id TEXT PRIMARY KEY,
        iface TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('egress', 'ingress')),
        address TEXT NOT NULL,
        rate_kbit INTEGER NOT NULL,
        ceil_kbit INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        minor INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (iface, direction, address),
        UNIQUE (iface, direction, minor)
      )`);
    } catch (e) {
      throw new SentraError(
        ErrorCodes.IO,
        `cannot open the QoS state database ${path}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }

  all(iface?: string): QosLimit[] {
    const rows = iface
      ? this.db
          .prepare('SELECT * FROM qos_limits WHERE iface = ? ORDER BY iface, direction, minor')
          .all(iface)
      : this.db.prepare('SELECT * FROM qos_limits ORDER BY iface, direction, minor').all();
    return (rows as Row[]).map(toLimit);
  }

  find(iface: string, direction: QosDirection, address: string): QosLimit | null {
    const r = this.db
      .prepare('SELECT * FROM qos_limits WHERE iface = ? AND direction = ? AND address = ?')
      .get(iface, direction, address) as Row | undefined;
    return r ? toLimit(r) : null;
  }

  get(id: string): QosLimit | null {
    const r = this.db.prepare('SELECT * FROM qos_limits WHERE id = ?').get(id) as Row | undefined;
    return r ? toLimit(r) : null;
  }

  /** The lowest free class minor on this device and direction (from 0x10). */
  freeMinor(iface: string, direction: QosDirection): number {
    const used = new Set(
      (
        this.db
          .prepare('SELECT minor FROM qos_limits WHERE iface = ? AND direction = ?')
          .all(iface, direction) as { minor: number }[]
      ).map((r) => r.minor),
    );
    for (let m = 0x10; m < 0xffff; m++) if (!used.has(m)) return m;
    throw new SentraError(ErrorCodes.INVALID_STATE, `no free traffic class left on ${iface}`);
  }

  insert(l: QosLimit): void {
    this.db
      .prepare(
        `INSERT INTO qos_limits (id, iface, direction, address, rate_kbit, ceil_kbit, priority, minor, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(l.id, l.iface, l.direction, l.address, l.rateKbit, l.ceilKbit, l.priority, l.minor, l.createdAt);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM qos_limits WHERE id = ?').run(id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
