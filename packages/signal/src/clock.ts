/**
 * The signal service reads time only through a {@link Clock}, so room expiry and rate limits are
 * tested by moving a manual clock instead of waiting. Structurally a subset of the SDK's `Clock`,
 * so the SDK's `systemClock` and `VirtualClock` fit as they are.
 */

/** A source of monotonic milliseconds. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch; only differences are meaningful. */
  now(): number;
}

/** The real clock: `performance.now()`, monotonic so expiry never runs backwards with the wall clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
};
