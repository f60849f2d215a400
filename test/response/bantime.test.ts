// Escalating ban times, checked against the values fail2ban's own test suite expects for
// bantime.increment (tests/observertestcase.py: BanTimeIncr), so settings mean the same here.
import { describe, expect, it } from 'vitest';
import { escalatedBanTime } from '../../src/api/response/bantime.js';

const counts = Array.from({ length: 10 }, (_, i) => i + 1);
const DAY = 86_400;

describe('bantime.increment (fail2ban semantics)', () => {
  it('default formula, maxtime 1d: the time doubles per previous ban', () => {
    const inc = { enabled: true, maxTimeSec: DAY };
    expect(counts.map((c) => Math.trunc(escalatedBanTime(600, c, inc)))).toEqual([
      1200, 2400, 4800, 9600, 19200, 38400, 76800, 86400, 86400, 86400,
    ]);
  });

  it('default formula, maxtime 30d', () => {
    const inc = { enabled: true, maxTimeSec: 30 * DAY };
    expect(counts.map((c) => Math.trunc(escalatedBanTime(600, c, inc)))).toEqual([
      1200, 2400, 4800, 9600, 19200, 38400, 76800, 153601, 307203, 614407,
    ]);
  });

  it('formula with factor 1', () => {
    const inc = { enabled: true, maxTimeSec: DAY, factor: 1 };
    expect(counts.map((c) => Math.trunc(escalatedBanTime(600, c, inc)))).toEqual([
      1630, 4433, 12051, 32758, 86400, 86400, 86400, 86400, 86400, 86400,
    ]);
  });

  it('maxtime 12h caps the growth', () => {
    const inc = { enabled: true, maxTimeSec: 12 * 3600 };
    expect(counts.map((c) => Math.trunc(escalatedBanTime(600, c, inc)))).toEqual([
      1200, 2400, 4800, 9600, 19200, 38400, 43200, 43200, 43200, 43200,
    ]);
  });

  it('multipliers stop growing at the last one', () => {
    const inc = { enabled: true, maxTimeSec: 30 * DAY, multipliers: [1, 2, 4, 8, 16, 32, 64, 128, 256] };
    expect(counts.map((c) => escalatedBanTime(600, c, inc))).toEqual([
      1200, 2400, 4800, 9600, 19200, 38400, 76800, 153600, 153600, 153600,
    ]);
  });

  it('multipliers with a factor, and the database example (bantime 10 s, doubling until 2048)', () => {
    expect(escalatedBanTime(600, 1, { enabled: true, multipliers: [1, 2, 4], factor: 2 })).toBe(2400);
    const inc = { enabled: true, multipliers: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048] };
    const times = Array.from({ length: 13 }, (_, c) => escalatedBanTime(10, c, inc));
    expect(times).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 20480]);
  });

  it('rndtime adds up to that many random seconds; the first ban and a disabled increment are the plain time', () => {
    const inc = { enabled: true, maxTimeSec: DAY, rndTimeSec: 300 };
    expect(escalatedBanTime(600, 1, inc, () => 0.5)).toBeCloseTo(1350, 1);
    expect(escalatedBanTime(600, 1, inc, () => 0)).toBeCloseTo(1200, 1);
    expect(escalatedBanTime(600, 0, inc, () => 0.9)).toBe(600);
    expect(escalatedBanTime(600, 5, { enabled: false })).toBe(600);
    expect(escalatedBanTime(600, 5, undefined)).toBe(600);
  });
});
