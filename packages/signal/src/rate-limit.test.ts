import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';
import { ManualClock } from './test-support.js';

describe('RateLimiter', () => {
  it('allows max requests per window, then refuses with the time left', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ windowMs: 1_000, max: 3 }, clock);
    expect(limiter.hit('a')).toEqual({ allowed: true, remaining: 2 });
    limiter.hit('a');
    expect(limiter.hit('a')).toEqual({ allowed: true, remaining: 0 });
    clock.advance(400);
    expect(limiter.hit('a')).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('starts a fresh window once the old one is over', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ windowMs: 1_000, max: 1 }, clock);
    limiter.hit('a');
    expect(limiter.hit('a').allowed).toBe(false);
    clock.advance(1_000);
    expect(limiter.hit('a')).toEqual({ allowed: true, remaining: 0 });
  });

  it('counts each key separately', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ windowMs: 1_000, max: 1 }, clock);
    limiter.hit('a');
    expect(limiter.hit('a').allowed).toBe(false);
    expect(limiter.hit('b').allowed).toBe(true);
  });

  it('forgets addresses whose window is over', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ windowMs: 1_000, max: 5 }, clock);
    limiter.hit('a');
    clock.advance(500);
    limiter.hit('b');
    expect(limiter.trackedKeys).toBe(2);
    clock.advance(600);
    limiter.hit('c');
    expect(limiter.trackedKeys).toBe(2); // 'a' pruned, 'b' still live
  });

  it('rejects nonsense limits', () => {
    const clock = new ManualClock();
    expect(() => new RateLimiter({ windowMs: 0, max: 1 }, clock)).toThrow(RangeError);
    expect(() => new RateLimiter({ windowMs: 10, max: 0.5 }, clock)).toThrow(RangeError);
  });
});
