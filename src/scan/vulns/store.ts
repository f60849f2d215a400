/**
 * The local vulnerability database: a JSON document (records from NVD and OSV imports),
 * merged by id on import so that re-importing a newer feed updates records in place. Import
 * files may be gzip-compressed (NVD publishes `.json.gz`) and a directory of OSV files (an
 * unpacked OSV export) is read file by file.
 *
 * The bundled sample database (`data/vulndb/sample-nvd.json`, real NVD records written out by
 * hand) is used when no database was imported; it is for tests and demos, not for real scans.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ErrorCodes, SentraError } from '../../errors.js';
import type { VulnDbFile, VulnRecord } from './model.js';
import { importNvdJson } from './nvd.js';
import { importOsvJson } from './osv.js';

/** Path of the bundled sample feed (NVD CVE JSON 2.0). */
export const SAMPLE_DB_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../data/vulndb/sample-nvd.json',
);

/** Where `sentra vulndb import` writes: $SENTRA_VULNDB, else $XDG_DATA_HOME/sentra/vulndb.json. */
export function defaultDbPath(): string {
  if (process.env.SENTRA_VULNDB) return process.env.SENTRA_VULNDB;
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'sentra', 'vulndb.json');
}

function readJson(file: string): unknown {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `${file} is not valid JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

export type FeedFormat = 'nvd' | 'osv' | 'sentra';

/** Recognises a parsed document's format. */
export function detectFormat(doc: unknown): FeedFormat {
  const d = doc as Record<string, unknown>;
  if (d && typeof d === 'object' && !Array.isArray(d)) {
    if (d.format === 'sentra-vulndb') return 'sentra';
    if (d.format === 'NVD_CVE' || Array.isArray(d.vulnerabilities)) return 'nvd';
  }
  return 'osv';
}

/** Records of one file (NVD, OSV or a Sentra database) or of every `.json` file in a directory. */
export function readFeed(file: string): {
  records: VulnRecord[];
  skipped: number;
  format: FeedFormat;
  files: number;
} {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (st.isDirectory()) {
    const out = { records: [] as VulnRecord[], skipped: 0, format: 'osv' as FeedFormat, files: 0 };
    for (const name of readdirSync(file).sort()) {
      if (!/\.json(\.gz)?$/.test(name)) continue;
      const r = readFeed(path.join(file, name));
      out.records.push(...r.records);
      out.skipped += r.skipped;
      out.files++;
      out.format = r.format;
    }
    return out;
  }
  const doc = readJson(file);
  const format = detectFormat(doc);
  if (format === 'sentra')
    return { records: (doc as VulnDbFile).records ?? [], skipped: 0, format, files: 1 };
  const r = format === 'nvd' ? importNvdJson(doc) : importOsvJson(doc);
  return { ...r, format, files: 1 };
}

/** An in-memory database. */
export class VulnDb {
  readonly records = new Map<string, VulnRecord>();
  /** Where it was loaded from ('' for an empty or in-memory database). */
  source = '';
  private index: Map<string, VulnRecord[]> | null = null;

  constructor(records: VulnRecord[] = []) {
    this.add(records);
  }

  /** Adds records; a record with a known id replaces the old one when it is at least as recent. Returns [added, updated]. */
  add(records: VulnRecord[]): { added: number; updated: number } {
    this.index = null;
    let added = 0;
    let updated = 0;
    for (const r of records) {
      const key = `${r.source}:${r.id}:${r.aliases[0] ?? ''}`;
      const old = this.records.get(key);
      if (!old) {
        this.records.set(key, r);
        added++;
      } else if (!old.modified || !r.modified || r.modified >= old.modified) {
        this.records.set(key, r);
        updated++;
      }
    }
    return { added, updated };
  }

  /** Records that name `product` (a CPE product or an OSV package name) in a criterion. */
  forProduct(product: string): VulnRecord[] {
    if (!this.index) {
      const idx = new Map<string, VulnRecord[]>();
      for (const r of this.records.values()) {
        const names = new Set<string>();
        for (const c of r.criteria) {
          if (c.cpe) names.add((c.cpe.split(':')[4] ?? '').toLowerCase());
          if (c.package) names.add(c.package.name.toLowerCase());
        }
        for (const n of names) {
          const list = idx.get(n);
          if (list) list.push(r);
          else idx.set(n, [r]);
        }
      }
      this.index = idx;
    }
    return this.index.get(product) ?? [];
  }

  get size(): number {
    return this.records.size;
  }

  /** Writes the database atomically (temp file + rename). */
  save(file: string): void {
    const doc: VulnDbFile = {
      format: 'sentra-vulndb',
      version: 1,
      updated: new Date().toISOString(),
      records: [...this.records.values()],
    };
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(doc));
      renameSync(tmp, file);
    } catch (e) {
      throw new SentraError(
        ErrorCodes.IO,
        `cannot write the vulnerability database ${file}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  /** Loads a database or feed file. */
  static load(file: string): VulnDb {
    const db = new VulnDb(readFeed(file).records);
    db.source = file;
    return db;
  }

  /** The imported database at `file` (default path) if it exists, else the bundled sample. */
  static open(file?: string): VulnDb {
    const f = file ?? defaultDbPath();
    if (existsSync(f)) return VulnDb.load(f);
    if (file !== undefined)
      throw new SentraError(ErrorCodes.NOT_FOUND, `no vulnerability database at ${file}`);
    return VulnDb.load(SAMPLE_DB_PATH);
  }
}

/** `sentra vulndb import`: reads a feed and merges it into the database at `dbFile`. */
export function importIntoDb(
  feed: string,
  dbFile: string = defaultDbPath(),
): {
  format: FeedFormat;
  files: number;
  imported: number;
  skipped: number;
  added: number;
  updated: number;
  total: number;
  db: string;
} {
  const r = readFeed(feed);
  const db = existsSync(dbFile) ? VulnDb.load(dbFile) : new VulnDb();
  const { added, updated } = db.add(r.records);
  db.save(dbFile);
  return {
    format: r.format,
    files: r.files,
    imported: r.records.length,
    skipped: r.skipped,
    added,
    updated,
    total: db.size,
    db: dbFile,
  };
}
