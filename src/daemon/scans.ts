/**
 * Scans started through the API run in the background: a job row in the store (queued,
 * running with ports done / total, done with the result or failed with the error), progress
 * for /metrics and the dashboard. At most `maxRunning` at once.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, SentraError, toSentraError } from '../errors.js';
import { scanNetwork } from '../scan/discovery/network.js';
import { scanOsFingerprint } from '../scan/os/fingerprint.js';
import { scanPorts } from '../scan/ports/scan.js';
import { scanServiceVersion } from '../scan/services/detect.js';
import { scanVulnerabilities } from '../scan/vulns/scan.js';
import type { ScanRecord, ScanStore } from './storage/records.js';

export const SCAN_KINDS = ['ports', 'network', 'service', 'os', 'vulns'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

/** POST /api/scans body. */
export interface ScanRequest {
  kind?: ScanKind;
  target: string;
  /** ports: a port spec (`1-1024`, `top100`); service: one port. */
  ports?: string | number;
  protocol?: 'tcp' | 'udp';
}

export class ScanRunner {
  private readonly running = new Map<string, { done: number; total: number; abort: AbortController }>();
  private readonly tasks = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly store: ScanStore,
    private readonly onChange: (r: ScanRecord) => void,
    private readonly maxRunning = 4,
  ) {}

  /** Checks the request, records the job and starts it; resolves with the job row. */
  start(req: ScanRequest): ScanRecord {
    if (req === null || typeof req !== 'object') {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        'the body must be a JSON object {kind, target, ports}',
      );
    }
    const kind = req.kind ?? 'ports';
    if (!(SCAN_KINDS as readonly string[]).includes(kind)) {
      throw new SentraError(
        ErrorCodes.INVALID_ARGUMENT,
        `kind must be one of ${SCAN_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
        {
          details: { key: 'kind' },
        },
      );
    }
    if (typeof req.target !== 'string' || req.target === '') {
      throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'target must be an address, host name or CIDR', {
        details: { key: 'target' },
      });
    }
    if (this.running.size >= this.maxRunning) {
      throw new SentraError(
        ErrorCodes.INVALID_STATE,
        `${this.maxRunning} scans are running; wait for one to end`,
      );
    }
    const id = `scan-${randomBytes(6).toString('hex')}`;
    this.store.create({
      id,
      kind,
      target: req.target,
      params: { ports: req.ports ?? null, protocol: req.protocol ?? 'tcp' },
    });
    const abort = new AbortController();
    const state = { done: 0, total: 0, abort };
    this.running.set(id, state);
    const task = this.run(id, kind, req, state).finally(() => this.tasks.delete(task));
    this.tasks.add(task);
    return this.store.get(id) as ScanRecord;
  }

  private async run(
    id: string,
    kind: ScanKind,
    req: ScanRequest,
    st: { done: number; total: number; abort: AbortController },
  ) {
    let lastWrite = 0;
    const progress = (done: number, total: number) => {
      st.done = done;
      st.total = total;
      const now = Date.now();
      if (!this.closed && (now - lastWrite > 250 || done === total)) {
        lastWrite = now;
        this.store.progress(id, done, total);
        const r = this.store.get(id);
        if (r) this.onChange(r);
      }
    };
    progress(0, 1);
    let result: unknown;
    let error: { code: string; message: string } | null = null;
    try {
      const protocol = req.protocol ?? 'tcp';
      if (kind === 'ports') {
        result = await scanPorts(req.target, req.ports === undefined ? 'top100' : req.ports, {
          protocol,
          signal: st.abort.signal,
          onProgress: progress,
        });
      } else if (kind === 'network') result = await scanNetwork(req.target, { timeoutMs: 1000 });
      else if (kind === 'service') {
        if (req.ports === undefined)
          throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'a service scan needs ports: one port number');
        result = await scanServiceVersion(req.target, req.ports, { protocol });
      } else if (kind === 'os') result = await scanOsFingerprint(req.target);
      else result = await scanVulnerabilities(req.target);
      progress(st.total || 1, st.total || 1);
    } catch (e) {
      const err = toSentraError(e);
      error = { code: err.code, message: err.message };
    }
    this.running.delete(id);
    // after a stop the store is closed: the row stays "running" and is marked failed on the next start
    if (this.closed) return;
    this.store.finish(id, result, error);
    const r = this.store.get(id);
    if (r) this.onChange(r);
  }

  /** Ports done and total over the running scans (for /metrics). */
  progress(): { running: number; done: number; total: number } {
    let done = 0;
    let total = 0;
    for (const s of this.running.values()) {
      done += s.done;
      total += s.total;
    }
    return { running: this.running.size, done, total };
  }

  /** Aborts the running scans and waits (at most `graceMs`) for them to end. */
  async stopAll(graceMs = 2000): Promise<void> {
    for (const s of this.running.values()) s.abort.abort();
    await Promise.race([Promise.all(this.tasks), new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.closed = true;
  }
}
