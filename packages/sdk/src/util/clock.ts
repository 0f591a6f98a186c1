/**
 * Time is injected: protocol code never reads `Date.now()` or calls `setTimeout` directly, so the
 * same code runs on the real clock in production and on a {@link VirtualClock} in tests.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: true };

export interface Clock {
  /** Milliseconds since an arbitrary epoch; only differences are meaningful. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds (or later). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` where available, timers from the host. */
export const systemClock: Clock = {
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => globalThis.clearTimeout(handle as unknown as ReturnType<typeof setTimeout>),
};

interface VirtualTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when the test says so. Timers due at the same instant run in the order
 * they were scheduled, so a run is fully determined by the seed and the schedule.
 */
export class VirtualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), fn });
    return { __timer: true, id } as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete((handle as unknown as { id: number }).id);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Time of the earliest pending timer, or `undefined` when none is pending. */
  nextAt(): number | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best?.at;
  }

  /** Advances time by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    this.runUntil(this.time + ms);
  }

  /** Advances to absolute time `target`, firing due timers in (time, id) order. */
  runUntil(target: number): void {
    for (;;) {
      const next = this.popDue(target);
      if (!next) break;
      this.time = next.at;
      next.fn();
    }
    if (target > this.time) this.time = target;
  }

  /** Fires timers until none is left or `maxMs` of virtual time has passed; returns the elapsed time. */
  runUntilIdle(maxMs = 60_000): number {
    const start = this.time;
    const limit = start + maxMs;
    for (;;) {
      const next = this.popDue(limit);
      if (!next) break;
      this.time = next.at;
      next.fn();
    }
    return this.time - start;
  }

  private popDue(limit: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    }
    if (best) this.timers.delete(best.id);
    return best;
  }
}
