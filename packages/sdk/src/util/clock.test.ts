import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';
import { SeededRng, randomInt } from './rng.js';

describe('VirtualClock', () => {
  it('fires timers due at the same instant in scheduling order', () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('b1'), 20);
    clock.setTimeout(() => order.push('a1'), 10);
    clock.setTimeout(() => order.push('b2'), 20);
    clock.setTimeout(() => order.push('a2'), 10);
    clock.setTimeout(() => order.push('b3'), 20);
    clock.advance(20);
    expect(order).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
  });

  it('sets now() to each timer time while it runs and to the target afterwards', () => {
    const clock = new VirtualClock(100);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 5);
    clock.setTimeout(() => seen.push(clock.now()), 7);
    clock.advance(50);
    expect(seen).toEqual([105, 107]);
    expect(clock.now()).toBe(150);
  });

  it('does not fire a cleared timer and keeps pending accurate', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const a = clock.setTimeout(() => fired.push(1), 10);
    clock.setTimeout(() => fired.push(2), 10);
    const c = clock.setTimeout(() => fired.push(3), 5);
    expect(clock.pending).toBe(3);
    clock.clearTimeout(a);
    clock.clearTimeout(a); // clearing twice is harmless
    clock.clearTimeout(c);
    expect(clock.pending).toBe(1);
    expect(clock.nextAt()).toBe(10);
    clock.advance(10);
    expect(fired).toEqual([2]);
    expect(clock.pending).toBe(0);
    clock.clearTimeout(a); // clearing after the fact is harmless too
    expect(clock.pending).toBe(0);
  });

  it('ignores handles from another clock', () => {
    const one = new VirtualClock();
    const two = new VirtualClock();
    const fired: string[] = [];
    const h = one.setTimeout(() => fired.push('one'), 1);
    two.setTimeout(() => fired.push('two'), 1);
    two.clearTimeout(h);
    expect(two.pending).toBe(1);
    one.advance(1);
    two.advance(1);
    expect(fired).toEqual(['one', 'two']);
  });

  it('treats negative and NaN delays as zero', () => {
    const clock = new VirtualClock(10);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), -5);
    clock.setTimeout(() => fired.push(clock.now()), Number.NaN);
    clock.advance(0);
    expect(fired).toEqual([10, 10]);
  });

  it('runUntil fires exactly the timers due by the target', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    for (const t of [30, 10, 20, 40]) clock.setTimeout(() => fired.push(t), t);
    clock.runUntil(25);
    expect(fired).toEqual([10, 20]);
    expect(clock.now()).toBe(25);
    expect(clock.nextAt()).toBe(30);
    clock.runUntil(5); // never moves backwards
    expect(clock.now()).toBe(25);
    clock.runUntil(40);
    expect(fired).toEqual([10, 20, 30, 40]);
  });

  it('runUntilIdle stops when nothing is pending and honours its budget', () => {
    const clock = new VirtualClock();
    let n = 0;
    const tick = (): void => {
      n++;
      if (n < 5) clock.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 100);
    expect(clock.runUntilIdle()).toBe(500);
    expect(n).toBe(5);

    const forever = (): void => void clock.setTimeout(forever, 100);
    clock.setTimeout(forever, 100);
    expect(clock.runUntilIdle(1_000)).toBe(1_000);
    expect(clock.pending).toBe(1);
  });

  it('runs timers scheduled during a callback, in time order, within the same advance', () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.setTimeout(() => {
      order.push(`outer@${clock.now()}`);
      clock.setTimeout(() => order.push(`zero@${clock.now()}`), 0);
      clock.setTimeout(() => order.push(`later@${clock.now()}`), 15);
      clock.setTimeout(() => order.push(`beyond@${clock.now()}`), 100);
    }, 10);
    clock.setTimeout(() => order.push(`same@${clock.now()}`), 10);
    clock.setTimeout(() => order.push(`mid@${clock.now()}`), 20);
    clock.advance(50);
    // `same` was scheduled before `zero`, so it runs first although both are due at 10.
    expect(order).toEqual(['outer@10', 'same@10', 'zero@10', 'mid@20', 'later@25']);
    expect(clock.pending).toBe(1);
  });

  it('a callback may clear a timer due at the same instant', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    let victim: ReturnType<VirtualClock['setTimeout']> | undefined;
    clock.setTimeout(() => {
      fired.push('killer');
      if (victim) clock.clearTimeout(victim);
    }, 10);
    victim = clock.setTimeout(() => fired.push('victim'), 10);
    clock.advance(10);
    expect(fired).toEqual(['killer']);
    expect(clock.pending).toBe(0);
  });

  it('matches a reference model on a random schedule with clears (seeded)', () => {
    for (const seed of [1, 2, 3, 42, 4242]) {
      const rng = new SeededRng(seed);
      const clock = new VirtualClock();
      const handles: Array<ReturnType<VirtualClock['setTimeout']>> = [];
      const model: Array<{ id: number; at: number; cleared: boolean }> = [];
      const fired: number[] = [];
      for (let i = 0; i < 3_000; i++) {
        const at = randomInt(rng, 500);
        const id = i;
        handles.push(clock.setTimeout(() => fired.push(id), at));
        model.push({ id, at, cleared: false });
        if (randomInt(rng, 3) === 0) {
          const victim = randomInt(rng, handles.length);
          clock.clearTimeout(handles[victim]!);
          model[victim]!.cleared = true;
        }
      }
      const expected = model.filter((m) => !m.cleared).sort((a, b) => a.at - b.at || a.id - b.id).map((m) => m.id);
      expect(clock.pending, `seed ${seed}`).toBe(expected.length);
      clock.advance(500);
      expect(fired, `seed ${seed}`).toEqual(expected);
      expect(clock.pending, `seed ${seed}`).toBe(0);
    }
  });

  it('stays correct when most timers are cleared (heap compaction)', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const handles = Array.from({ length: 5_000 }, (_, i) => clock.setTimeout(() => fired.push(i), 5_000 - i));
    for (let i = 0; i < 5_000; i++) if (i % 10 !== 0) clock.clearTimeout(handles[i]!);
    expect(clock.pending).toBe(500);
    clock.advance(5_000);
    const expected = Array.from({ length: 500 }, (_, k) => 4_990 - 10 * k);
    expect(fired).toEqual(expected);
  });
});
