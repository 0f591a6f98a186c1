/**
 * Simulation support (excluded from the build): one peer's own view of time over the network's
 * {@link VirtualClock}, as the deterministic simulation gives every peer ([R30]).
 *
 * - skew: `now()` is `offsetMs + rate × network time`, and a timer of `ms` local milliseconds
 *   fires after `ms / rate` network milliseconds (a fast clock fires early);
 * - pause: a frozen tab runs no timers; the ones that fall due wait and fire, late and in order,
 *   on `resume()`;
 * - throttle: a hidden tab runs timers at most once per `throttleMs` (browsers: once a second),
 *   so a due timer waits for the next multiple of it.
 */
import type { Clock, TimerHandle, VirtualClock } from '../util/clock.js';

interface PeerTimer {
  readonly fn: () => void;
  inner: TimerHandle | undefined;
  done: boolean;
}

export class PeerClock implements Clock {
  private paused = false;
  private throttleMs = 0;
  private readonly due: PeerTimer[] = [];

  constructor(
    private readonly base: VirtualClock,
    readonly offsetMs = 0,
    readonly rate = 1,
  ) {
    if (!(rate > 0)) throw new RangeError(`clock rate must be positive, got ${rate}`);
  }

  now(): number {
    return this.offsetMs + this.base.now() * this.rate;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: PeerTimer = { fn, inner: undefined, done: false };
    t.inner = this.base.setTimeout(() => this.fire(t), Math.max(0, ms) / this.rate);
    return t as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const t = handle as unknown as PeerTimer;
    if (t.done) return;
    t.done = true;
    if (t.inner !== undefined) this.base.clearTimeout(t.inner);
    const i = this.due.indexOf(t);
    if (i >= 0) this.due.splice(i, 1);
  }

  /** Freezes this peer's timers until {@link resume}. */
  pause(): void {
    this.paused = true;
  }

  /** Runs every timer that fell due while paused, in order, then carries on. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    while (this.due.length > 0 && !this.paused) {
      const t = this.due.shift()!;
      if (!t.done) this.run(t);
    }
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Timers run at most once per `ms` of network time (0: not throttled). */
  throttle(ms: number): void {
    this.throttleMs = ms;
  }

  private fire(t: PeerTimer): void {
    t.inner = undefined;
    if (t.done) return;
    if (this.paused) {
      this.due.push(t);
      return;
    }
    if (this.throttleMs > 0) {
      const now = this.base.now();
      const slot = Math.ceil(now / this.throttleMs) * this.throttleMs;
      if (slot > now) {
        t.inner = this.base.setTimeout(() => this.fireAligned(t), slot - now);
        return;
      }
    }
    this.run(t);
  }

  private fireAligned(t: PeerTimer): void {
    t.inner = undefined;
    if (t.done) return;
    if (this.paused) this.due.push(t);
    else this.run(t);
  }

  private run(t: PeerTimer): void {
    t.done = true;
    t.fn();
  }
}
