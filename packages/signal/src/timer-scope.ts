/**
 * `peer` 1.0.2 starts two self-rescheduling `setTimeout` loops when its PeerServer is mounted
 * (expiring queued messages, dropping sockets without heartbeats) and offers no way to stop them,
 * so a closed server would keep its process alive forever. A timer scope runs a function with
 * `globalThis.setTimeout` (and `clearTimeout`) swapped for a tracking version, and keeps that swap in force inside the
 * callbacks of every timer it created, so a whole chain of rescheduled timers stays tracked and
 * {@link TimerScope.stop} can clear whatever is pending.
 *
 * The swap is only ever in force during synchronous code (the function, then each callback), so
 * code outside the scope never sees it.
 */

type SetTimeoutFn = typeof globalThis.setTimeout;
type Timeout = ReturnType<SetTimeoutFn>;

/** Handle of a scope created by {@link createTimerScope}. */
export interface TimerScope {
  /** Runs `fn` with timers tracked; timers created by tracked callbacks are tracked too. */
  run<T>(fn: () => T): T;
  /** Clears every pending tracked timer; later tracked `setTimeout` calls schedule nothing. */
  stop(): void;
  /** Tracked timers not yet fired or cleared (for tests). */
  readonly pending: number;
}

/** Creates a scope; see the module comment for why this exists. */
export function createTimerScope(): TimerScope {
  const live = new Set<Timeout>();
  let stopped = false;
  // Captured once, so a scope nested in another still schedules real timers.
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;

  const run = <T>(fn: () => T): T => {
    const previousSet = globalThis.setTimeout;
    const previousClear = globalThis.clearTimeout;
    globalThis.setTimeout = trackedSetTimeout;
    globalThis.clearTimeout = trackedClearTimeout;
    try {
      return fn();
    } finally {
      globalThis.setTimeout = previousSet;
      globalThis.clearTimeout = previousClear;
    }
  };

  function trackedSetTimeoutImpl(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): Timeout {
    const timer: Timeout = realSetTimeout(() => {
      live.delete(timer);
      run(() => callback(...args));
    }, ms);
    if (stopped) {
      // Keep the caller's handle valid but never fire or hold the process open.
      realClearTimeout(timer);
    } else {
      live.add(timer);
    }
    return timer;
  }
  function trackedClearTimeout(timer: string | number | Timeout | undefined): void {
    if (typeof timer === 'object') live.delete(timer);
    realClearTimeout(timer);
  }
  // Node's setTimeout type also carries `__promisify__`; callers in the scope never use it.
  const trackedSetTimeout = Object.assign(trackedSetTimeoutImpl, { __promisify__: realSetTimeout.__promisify__ }) as unknown as SetTimeoutFn;

  return {
    run,
    stop() {
      stopped = true;
      for (const timer of live) realClearTimeout(timer);
      live.clear();
    },
    get pending() {
      return live.size;
    },
  };
}
