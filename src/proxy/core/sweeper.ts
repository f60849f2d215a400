/**
 * One coarse clock and one timer for every proxy in the process. Connections record the time of
 * their last activity from {@link clock} (no system call per packet) and a deadline; a single
 * unref'd interval visits the registered servers and expires what is late. This replaces a
 * timer per connection per phase, which would allocate on every request.
 */

/** Something the sweeper visits on every tick. */
export interface Tickable {
  tick(now: number): void;
}

/** Granularity of every proxy timeout. */
export const SWEEP_INTERVAL_MS = 250;

/** The coarse clock: `now` is refreshed on every tick and when a server asks for it. */
export const clock = { now: Date.now() };

const members = new Set<Tickable>();
let timer: NodeJS.Timeout | null = null;

function tickAll(): void {
  const now = Date.now();
  clock.now = now;
  for (const m of members) m.tick(now);
}

/** Starts visiting `m` on every tick. */
export function addTickable(m: Tickable): void {
  members.add(m);
  clock.now = Date.now();
  if (timer === null) {
    timer = setInterval(tickAll, SWEEP_INTERVAL_MS);
    timer.unref();
  }
}

export function removeTickable(m: Tickable): void {
  members.delete(m);
  if (members.size === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

/** Refreshes the clock now (used when a connection starts, so its first deadline is exact). */
export function refreshClock(): number {
  clock.now = Date.now();
  return clock.now;
}
