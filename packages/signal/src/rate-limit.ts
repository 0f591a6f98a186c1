/**
 * A fixed-window request counter per key (the remote address). Fixed windows are crude at window
 * edges (up to 2× `max` across one boundary) but need one number per address, and the limit only
 * has to stop floods, not meter fair use.
 */
import type { Clock } from './clock.js';

/** At most `max` requests per `windowMs` from one address. */
export interface RateLimitOptions {
  readonly windowMs: number;
  readonly max: number;
}

/** Outcome of {@link RateLimiter.hit}. */
export type RateDecision =
  | { readonly allowed: true; /** Requests left in this window. */ readonly remaining: number }
  | { readonly allowed: false; /** Milliseconds until the window resets. */ readonly retryAfterMs: number };

interface Window {
  readonly start: number;
  count: number;
}

/** Counts requests per key in fixed windows, reading time from an injected clock. */
export class RateLimiter {
  /** Ordered by window start (a reset re-inserts), so stale windows are pruned from the front. */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: Clock,
  ) {
    if (!(options.windowMs > 0) || !Number.isInteger(options.max) || options.max < 1) {
      throw new RangeError('rateLimit needs windowMs > 0 and an integer max >= 1');
    }
  }

  /** Records one request from `key` and says whether it may proceed. */
  hit(key: string): RateDecision {
    const now = this.clock.now();
    this.prune(now);
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.options.windowMs) {
      this.windows.delete(key);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.options.max) {
      return { allowed: false, retryAfterMs: Math.max(0, window.start + this.options.windowMs - now) };
    }
    window.count++;
    return { allowed: true, remaining: this.options.max - window.count };
  }

  /** Addresses with a live window (for metrics and tests). */
  get trackedKeys(): number {
    return this.windows.size;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start < this.options.windowMs) break;
      this.windows.delete(key);
    }
  }
}
