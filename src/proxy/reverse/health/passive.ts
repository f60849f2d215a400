/**
 * Passive health: real requests that fail (connection refused or reset, timeout, and
 * optionally chosen 5xx statuses) count against a backend; `maxFails` in a row eject it for
 * `ejectMs`, after which it gets traffic again (one more failure ejects it again).
 */
import { ErrorCodes, SentraError } from '../../../errors.js';
import type { Backend } from '../backend.js';

export interface PassiveHealthOptions {
  /** Consecutive failures that eject a backend (default 3). */
  maxFails?: number;
  /** How long an ejected backend gets no traffic (default 10000 ms). */
  ejectMs?: number;
  /** Backend statuses that count as failures, e.g. [502, 503, 504] (default none). */
  failStatuses?: number[];
}

export interface ResolvedPassiveHealth {
  maxFails: number;
  ejectMs: number;
  failStatuses: ReadonlySet<number>;
}

export function resolvePassiveHealth(o: PassiveHealthOptions = {}): ResolvedPassiveHealth {
  const maxFails = o.maxFails ?? 3;
  const ejectMs = o.ejectMs ?? 10_000;
  if (!Number.isInteger(maxFails) || maxFails < 1) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'passive health maxFails must be an integer >= 1');
  }
  if (!Number.isFinite(ejectMs) || ejectMs < 1) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, 'passive health ejectMs must be a positive number');
  }
  return { maxFails, ejectMs, failStatuses: new Set(o.failStatuses ?? []) };
}

export class PassiveHealth {
  constructor(readonly options: ResolvedPassiveHealth) {}

  /** Records a failure; returns true when this failure ejected the backend. */
  failure(b: Backend, now: number): boolean {
    b.consecutiveFailures++;
    if (b.consecutiveFailures >= this.options.maxFails && b.ejectedUntil <= now) {
      b.ejectedUntil = now + this.options.ejectMs;
      b.consecutiveFailures = 0;
      return true;
    }
    return false;
  }

  success(b: Backend): void {
    b.consecutiveFailures = 0;
  }

  countsAsFailure(status: number): boolean {
    return this.options.failStatuses.has(status);
  }
}
