/** A daemon started in the test process on a random port with a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/daemon/config.js';
import { type DaemonHandle, type StartOptions, startDaemon } from '../../src/daemon/daemon.js';

export interface TestDaemon {
  d: DaemonHandle;
  dir: string;
  url: string;
  token: string;
  /** Calls the API with the token; resolves with status and parsed JSON. */
  call(method: string, p: string, body?: unknown): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

export function tempDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `sentra-${tag}-`));
}

export async function startTestDaemon(
  overrides: Record<string, unknown> = {},
  opts: StartOptions & { dir?: string } = {},
): Promise<TestDaemon> {
  const dir = opts.dir ?? tempDir('daemon');
  const config = loadConfig({
    overrides: {
      data_dir: dir,
      'http.port': 0,
      'firewall.backend': 'memory',
      'capture.watch_interval': 0.2,
      ...overrides,
    },
  });
  const d = await startDaemon(config, { log: () => {}, ...opts });
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${d.url}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${d.token}`,
        ...(body !== undefined && !(body instanceof Uint8Array)
          ? { 'content-type': 'application/json' }
          : {}),
      },
      body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, json };
  };
  return {
    d,
    dir,
    url: d.url,
    token: d.token,
    call,
    stop: async () => {
      await d.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  ms = 30_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A minimal EVE alert record. */
export function eveAlert(
  i: number,
  over: Record<string, unknown> = {},
  severity = 2,
): Record<string, unknown> {
  return {
    timestamp: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000+0000`,
    event_type: 'alert',
    src_ip: `10.9.${(i >> 8) & 255}.${i & 255}`,
    src_port: 40000 + (i % 1000),
    dest_ip: '10.9.255.1',
    dest_port: 80,
    proto: 'TCP',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: 7000000 + (i % 5),
      rev: 1,
      signature: `TEST alert ${i}`,
      category: 'Test',
      severity,
    },
    ...over,
  };
}
