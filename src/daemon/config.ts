/**
 * The daemon's configuration: defaults, a YAML file, then flags, validated as one object at
 * start. A bad value is refused with an error that names the key (`http.port`) and the reason,
 * before anything is opened. Every setting can be given as a flag: the common ones have their
 * own (`--port`, `-i`), all of them `--set key=value`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, SentraError } from '../errors.js';
import { parseIp } from '../net/address.js';
import { sentraHome } from '../sys/paths.js';

export type RedisMode = 'list' | 'rpush' | 'stream' | 'channel';
export type FirewallBackendName = 'auto' | 'nftables' | 'iptables' | 'memory' | 'none';

/** Everything `sentra serve` can be told. Sizes in MiB, times in seconds. */
export interface DaemonConfig {
  /** Where the daemon keeps its database, token, EVE file and captures. */
  data_dir: string;
  http: {
    host: string;
    /** 0 picks a free port (tests). */
    port: number;
    /** /metrics needs the token too (default true; Prometheus sends it with `authorization`). */
    metrics_auth: boolean;
    /** Largest capture accepted by POST /api/captures. */
    max_upload_mb: number;
  };
  capture: {
    /** Live interface; null: analyse uploaded and dropped-in captures only. */
    interface: string | null;
    netns: string | null;
    /** tcpdump capture filter for the live interface. */
    filter: string;
    /** Folder watched for pcap/pcapng files; null: `<data_dir>/inbox`. */
    watch_dir: string | null;
    /** Seconds between looks at the watched folder. */
    watch_interval: number;
    /** Replay the shipped demo capture at start. */
    demo: boolean;
    /** Replay speed of the demo (1 = as recorded, 0 = as fast as possible). */
    demo_speed: number;
  };
  flows: {
    idle_timeout: number;
    active_timeout: number;
    /** Keep ended flows in the store. */
    store: boolean;
  };
  ids: {
    /** Suricata rule files for the signature engine. */
    rules: string[];
    /** Behavioural detectors on (when the detectors are available). */
    detectors: boolean;
  };
  outputs: {
    eve: {
      enabled: boolean;
      /** null: `<data_dir>/eve.json`. */
      path: string | null;
      /** Rotate when the file passes this size; 0: never. */
      max_size_mb: number;
      /** Rotated files kept (eve.json.1 ... eve.json.N). */
      keep: number;
      /** fdatasync after every batch of alerts (a power cut loses no reported alert). */
      fsync: boolean;
    };
    redis: {
      enabled: boolean;
      url: string;
      /** As Suricata's `redis.mode`: list (LPUSH), rpush, stream (XADD), channel (PUBLISH). */
      mode: RedisMode;
      key: string;
      /** Stream only: MAXLEN ~ this (0: unbounded). */
      stream_maxlen: number;
    };
  };
  firewall: {
    backend: FirewallBackendName;
    netns: string | null;
    table: string;
  };
  response: {
    /** Ban the source of every alert at or above `min_severity` (fail2ban-style escalation). */
    auto_ban: boolean;
    min_severity: 'low' | 'medium' | 'high' | 'critical';
    /** Seconds of the first ban (0: permanent). */
    ban_time: number;
  };
  storage: {
    /** Oldest alerts and flows are deleted beyond these counts (0: keep all). */
    max_alerts: number;
    max_flows: number;
  };
}

/** The defaults: everything works with no file and no flag. */
export function defaultConfig(env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  return {
    data_dir: sentraHome(env),
    http: { host: '127.0.0.1', port: 8470, metrics_auth: true, max_upload_mb: 512 },
    capture: {
      interface: null,
      netns: null,
      filter: '',
      watch_dir: null,
      watch_interval: 2,
      demo: false,
      demo_speed: 20,
    },
    flows: { idle_timeout: 120, active_timeout: 1800, store: true },
    ids: { rules: [], detectors: true },
    outputs: {
      eve: { enabled: true, path: null, max_size_mb: 100, keep: 5, fsync: true },
      redis: {
        enabled: false,
        url: 'redis://127.0.0.1:6379',
        mode: 'list',
        key: 'suricata',
        stream_maxlen: 100_000,
      },
    },
    firewall: { backend: 'auto', netns: null, table: 'sentra' },
    response: { auto_ban: false, min_severity: 'high', ban_time: 600 },
    storage: { max_alerts: 1_000_000, max_flows: 1_000_000 },
  };
}

type Kind = 'string' | 'nstring' | 'int' | 'number' | 'bool' | 'strings' | { enum: readonly string[] };

/** The type of every leaf key; the validator and `--set` both read it. */
const SCHEMA: Record<string, Kind> = {
  data_dir: 'string',
  'http.host': 'string',
  'http.port': 'int',
  'http.metrics_auth': 'bool',
  'http.max_upload_mb': 'number',
  'capture.interface': 'nstring',
  'capture.netns': 'nstring',
  'capture.filter': 'string',
  'capture.watch_dir': 'nstring',
  'capture.watch_interval': 'number',
  'capture.demo': 'bool',
  'capture.demo_speed': 'number',
  'flows.idle_timeout': 'number',
  'flows.active_timeout': 'number',
  'flows.store': 'bool',
  'ids.rules': 'strings',
  'ids.detectors': 'bool',
  'outputs.eve.enabled': 'bool',
  'outputs.eve.path': 'nstring',
  'outputs.eve.max_size_mb': 'number',
  'outputs.eve.keep': 'int',
  'outputs.eve.fsync': 'bool',
  'outputs.redis.enabled': 'bool',
  'outputs.redis.url': 'string',
  'outputs.redis.mode': { enum: ['list', 'rpush', 'stream', 'channel'] },
  'outputs.redis.key': 'string',
  'outputs.redis.stream_maxlen': 'int',
  'firewall.backend': { enum: ['auto', 'nftables', 'iptables', 'memory', 'none'] },
  'firewall.netns': 'nstring',
  'firewall.table': 'string',
  'response.auto_ban': 'bool',
  'response.min_severity': { enum: ['low', 'medium', 'high', 'critical'] },
  'response.ban_time': 'int',
  'storage.max_alerts': 'int',
  'storage.max_flows': 'int',
};

/** Every key a configuration may set, dotted. */
export const CONFIG_KEYS: readonly string[] = Object.keys(SCHEMA);

function bad(key: string, reason: string): SentraError {
  return new SentraError(ErrorCodes.INVALID_CONFIG, `configuration key ${key}: ${reason}`, {
    details: { key, reason },
  });
}

function describe(kind: Kind): string {
  if (typeof kind === 'object') return `one of ${kind.enum.join(', ')}`;
  return {
    string: 'a string',
    nstring: 'a string or null',
    int: 'a whole number',
    number: 'a number',
    bool: 'true or false',
    strings: 'a list of strings',
  }[kind];
}

function checkLeaf(key: string, kind: Kind, v: unknown): unknown {
  const ok =
    typeof kind === 'object'
      ? typeof v === 'string' && kind.enum.includes(v)
      : kind === 'string'
        ? typeof v === 'string'
        : kind === 'nstring'
          ? v === null || typeof v === 'string'
          : kind === 'int'
            ? Number.isInteger(v)
            : kind === 'number'
              ? typeof v === 'number' && Number.isFinite(v)
              : kind === 'bool'
                ? typeof v === 'boolean'
                : Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (!ok) throw bad(key, `must be ${describe(kind)}, got ${JSON.stringify(v)}`);
  return v;
}

/** Sets the dotted `key` of `obj` (creating objects on the way). */
function setPath(obj: Record<string, unknown>, key: string, v: unknown): void {
  const parts = key.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = v;
}

/** Copies `src` over `dst` key by key, refusing keys the schema does not know. */
function merge(dst: Record<string, unknown>, src: unknown, prefix: string): void {
  if (src === null || typeof src !== 'object' || Array.isArray(src)) {
    throw bad(prefix || '(top level)', `must be a mapping, got ${JSON.stringify(src)}`);
  }
  for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const kind = SCHEMA[key];
    if (kind !== undefined) {
      setPath(dst, key, checkLeaf(key, kind, v));
    } else if (CONFIG_KEYS.some((c) => c.startsWith(`${key}.`))) {
      merge(dst, v, key);
    } else {
      throw bad(key, `unknown key (known keys: ${CONFIG_KEYS.join(', ')})`);
    }
  }
}

/** Parses the text of a `--set key=value` into the key's type. */
export function parseSetting(assignment: string): { key: string; value: unknown } {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw bad(assignment, 'expected key=value');
  const key = assignment.slice(0, eq).trim();
  const text = assignment.slice(eq + 1).trim();
  const kind = SCHEMA[key];
  if (kind === undefined) throw bad(key, `unknown key (known keys: ${CONFIG_KEYS.join(', ')})`);
  let value: unknown = text;
  if (kind === 'int' || kind === 'number') value = text === '' ? Number.NaN : Number(text);
  else if (kind === 'bool') value = text === 'true' ? true : text === 'false' ? false : text;
  else if (kind === 'nstring') value = text === '' || text === 'null' ? null : text;
  else if (kind === 'strings') value = text === '' ? [] : text.split(',').map((s) => s.trim());
  return { key, value: checkLeaf(key, kind, value) };
}

function range(key: string, v: number, min: number, max: number): void {
  if (v < min || v > max) throw bad(key, `must be from ${min} to ${max}, got ${v}`);
}

/** Checks what types alone cannot: ranges, addresses, names. */
function checkValues(c: DaemonConfig): void {
  range('http.port', c.http.port, 0, 65535);
  try {
    parseIp(c.http.host);
  } catch {
    throw bad('http.host', `must be an IP address to listen on, got ${JSON.stringify(c.http.host)}`);
  }
  range('http.max_upload_mb', c.http.max_upload_mb, 1, 1 << 20);
  range('capture.watch_interval', c.capture.watch_interval, 0.1, 3600);
  range('capture.demo_speed', c.capture.demo_speed, 0, 1e6);
  range('flows.idle_timeout', c.flows.idle_timeout, 1, 86_400);
  range('flows.active_timeout', c.flows.active_timeout, 1, 7 * 86_400);
  range('outputs.eve.max_size_mb', c.outputs.eve.max_size_mb, 0, 1 << 20);
  range('outputs.eve.keep', c.outputs.eve.keep, 0, 1000);
  range('outputs.redis.stream_maxlen', c.outputs.redis.stream_maxlen, 0, 1e12);
  range('response.ban_time', c.response.ban_time, 0, 365 * 86_400);
  range('storage.max_alerts', c.storage.max_alerts, 0, 1e12);
  range('storage.max_flows', c.storage.max_flows, 0, 1e12);
  if (c.data_dir === '') throw bad('data_dir', 'must not be empty');
  if (c.capture.interface !== null && !/^[A-Za-z0-9._@:-]{1,15}$/.test(c.capture.interface)) {
    throw bad('capture.interface', `is not an interface name: ${JSON.stringify(c.capture.interface)}`);
  }
  if (c.outputs.redis.enabled && !/^rediss?:\/\//.test(c.outputs.redis.url)) {
    throw bad('outputs.redis.url', `must start with redis:// or rediss://, got ${c.outputs.redis.url}`);
  }
  if (c.outputs.redis.key === '') throw bad('outputs.redis.key', 'must not be empty');
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(c.firewall.table)) {
    throw bad('firewall.table', 'must be 1-32 letters, digits, _ or -');
  }
}

export interface LoadConfigOptions {
  /** YAML file; when absent only defaults and overrides apply. */
  file?: string;
  /** Dotted key → value, applied after the file (from flags). */
  overrides?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/** Reads, merges and validates the configuration; paths come out absolute. */
export function loadConfig(opts: LoadConfigOptions = {}): DaemonConfig {
  const cfg = defaultConfig(opts.env) as unknown as Record<string, unknown>;
  if (opts.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new SentraError(
        ErrorCodes.INVALID_CONFIG,
        `cannot read the configuration ${opts.file}: ${(e as Error).message}`,
        {
          cause: e,
          details: { file: opts.file },
        },
      );
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new SentraError(
        ErrorCodes.INVALID_CONFIG,
        `${opts.file}: not valid YAML: ${(e as Error).message}`,
        {
          cause: e,
          details: { file: opts.file },
        },
      );
    }
    if (doc !== null && doc !== undefined) merge(cfg, doc, '');
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    const kind = SCHEMA[key];
    if (kind === undefined) throw bad(key, 'unknown key');
    setPath(cfg, key, checkLeaf(key, kind, value));
  }
  const c = cfg as unknown as DaemonConfig;
  checkValues(c);
  c.data_dir = path.resolve(c.data_dir);
  return c;
}

/** Paths derived from the data directory. */
export function daemonPaths(c: DaemonConfig) {
  const d = c.data_dir;
  return {
    db: path.join(d, 'sentra.db'),
    firewallDb: path.join(d, 'firewall.db'),
    token: path.join(d, 'token'),
    eve: c.outputs.eve.path ? path.resolve(c.outputs.eve.path) : path.join(d, 'eve.json'),
    inbox: c.capture.watch_dir ? path.resolve(c.capture.watch_dir) : path.join(d, 'inbox'),
    captures: path.join(d, 'captures'),
  };
}
