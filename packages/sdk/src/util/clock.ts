/**
 * Time is injected: protocol code never reads `Date.now()` or calls `setTimeout` directly, so the
 * same code runs on the real clock in production and on a {@link VirtualClock} in tests.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: true };

/**
 * The time source every timer-driven part of the SDK takes as an option (`clock`). Pass
 * {@link systemClock} in production and a {@link VirtualClock} in tests, so timeouts and
 * heartbeats fire exactly when the test advances time.
 *
 * @example
 * ```ts
 * const clock: Clock = new VirtualClock();
 * const handle = clock.setTimeout(() => console.log('fired at', clock.now()), 250);
 * clock.clearTimeout(handle); // cancels it; clearing twice is harmless
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch; only differences are meaningful. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds (or later). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; a fired, cleared or foreign handle is ignored. */
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
  /** Guards against clearing another clock's handle, which would corrupt our live count. */
  readonly owner: VirtualClock;
  /** Cleared timers stay in the heap until they surface (lazy deletion keeps clearTimeout O(1)). */
  cancelled: boolean;
}

/** Strict (at, id) order: equal times fall back to scheduling order. */
const before = (a: VirtualTimer, b: VirtualTimer): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * A clock that moves only when the test says so. Timers due at the same instant run in the order
 * they were scheduled, so a run is fully determined by the seed and the schedule.
 *
 * Timers live in a binary min-heap keyed by (at, id): scheduling and firing cost O(log n), so a
 * simulation with hundreds of thousands of pending timers (10,000 peers, packets in flight) stays
 * fast. A negative or NaN delay counts as 0, as in browsers.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * clock.setTimeout(() => console.log('tick at', clock.now()), 1_000);
 * clock.advance(999); // nothing yet
 * clock.advance(1); // logs "tick at 1000"
 * ```
 */
export class VirtualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly heap: VirtualTimer[] = [];
  private live = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = ms > 0 ? ms : 0; // also maps NaN to 0
    const timer: VirtualTimer = { id: this.nextId++, at: this.time + delay, fn, owner: this, cancelled: false };
    this.push(timer);
    this.live++;
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as unknown as VirtualTimer | undefined;
    // Clearing a fired, already cleared or foreign handle is a no-op, as with the host's timers.
    if (!timer || typeof timer !== 'object' || timer.cancelled || !this.owns(timer)) return;
    timer.cancelled = true;
    this.live--;
    // Lazy deletion lets the heap fill with dead entries when code clears far more than it fires
    // (watchdogs re-armed on every packet); rebuild it once they are the majority.
    if (this.heap.length > 1024 && this.heap.length > 2 * this.live) this.compact();
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.live;
  }

  /** Time of the earliest pending timer, or `undefined` when none is pending. */
  nextAt(): number | undefined {
    return this.peek()?.at;
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
    const top = this.peek();
    if (!top || top.at > limit) return undefined;
    this.pop();
    // Marked so a later clearTimeout on this handle does not touch the live count.
    top.cancelled = true;
    this.live--;
    return top;
  }

  /** The earliest live timer, dropping cleared ones that reached the top. */
  private peek(): VirtualTimer | undefined {
    for (;;) {
      const top = this.heap[0];
      if (!top || !top.cancelled) return top;
      this.pop();
    }
  }

  /** Fired and cleared timers are marked cancelled, so ownership is all that is left to check. */
  private owns(timer: VirtualTimer): boolean {
    return timer.owner === this;
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    this.siftDown(last, 0);
  }

  private siftDown(timer: VirtualTimer, from: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && before(heap[r]!, heap[l]!)) child = r;
      const c = heap[child]!;
      if (!before(c, timer)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = timer;
  }

  private compact(): void {
    const keep = this.heap.filter((t) => !t.cancelled);
    this.heap.length = 0;
    for (const t of keep) this.heap.push(t);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(this.heap[i]!, i);
  }
}
