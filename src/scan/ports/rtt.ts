/**
 * Round-trip time estimate and probe timeout, as TCP computes its retransmission timeout
 * (RFC 6298: SRTT/RTTVAR with gains 1/8 and 1/4, timeout = SRTT + 4·RTTVAR), clamped to
 * [min, max]. Before the first sample the timeout is `initial`. A scanner needs this because a
 * fixed timeout is either far too long on a LAN (a full scan of a filtered host would take
 * hours) or too short across the Internet (open ports reported filtered).
 */
export interface RttOptions {
  /** Timeout before any answer was measured (ms). */
  initialMs?: number;
  /** Lower bound of the timeout (ms): also absorbs the scanner's own event-loop delays. */
  minMs?: number;
  /** Upper bound of the timeout (ms). */
  maxMs?: number;
}

export class RttEstimator {
  private srtt = -1;
  private rttvar = 0;
  private samples = 0;
  readonly initialMs: number;
  readonly minMs: number;
  readonly maxMs: number;

  constructor(opts: RttOptions = {}) {
    this.minMs = opts.minMs ?? 100;
    this.maxMs = Math.max(this.minMs, opts.maxMs ?? 3000);
    this.initialMs = Math.min(this.maxMs, Math.max(this.minMs, opts.initialMs ?? 1000));
  }

  /** Adds one measured round trip (ms). */
  sample(rttMs: number): void {
    if (!(rttMs >= 0)) return;
    this.samples++;
    if (this.srtt < 0) {
      this.srtt = rttMs;
      this.rttvar = rttMs / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rttMs);
    this.srtt = 0.875 * this.srtt + 0.125 * rttMs;
  }

  /** Number of samples taken. */
  get count(): number {
    return this.samples;
  }

  /** Smoothed RTT (ms), or null before the first sample. */
  get smoothed(): number | null {
    return this.srtt < 0 ? null : this.srtt;
  }

  /** Takes over the state another engine measured (the native scanner keeps its own estimate). */
  adopt(srtt: number | null, timeoutMs: number): void {
    if (srtt === null || !(srtt >= 0)) return;
    this.srtt = srtt;
    // choose RTTVAR so that timeout() gives back the engine's last timeout
    this.rttvar = Math.max(0, (timeoutMs - srtt) / 4);
    this.samples = Math.max(1, this.samples);
  }

  /** The timeout to use for the next probe (ms). */
  timeout(): number {
    if (this.srtt < 0) return this.initialMs;
    const t = this.srtt + 4 * this.rttvar;
    return Math.min(this.maxMs, Math.max(this.minMs, t));
  }
}
