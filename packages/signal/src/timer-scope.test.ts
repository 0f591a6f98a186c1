import { afterEach, describe, expect, it } from 'vitest';
import { createTimerScope } from './timer-scope.js';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

afterEach(() => {
  expect(globalThis.setTimeout).toBe(realSetTimeout);
  expect(globalThis.clearTimeout).toBe(realClearTimeout);
});

/** Waits on a real timer created outside any scope. */
const tick = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

describe('createTimerScope', () => {
  it('tracks a self-rescheduling chain and stop() ends it', async () => {
    const scope = createTimerScope();
    let runs = 0;
    const loop = (): void => {
      setTimeout(() => {
        runs++;
        loop();
      }, 1);
    };
    scope.run(loop);
    expect(scope.pending).toBe(1);
    await tick(30);
    expect(runs).toBeGreaterThan(0);
    expect(scope.pending).toBe(1); // each run replaced its own timer
    scope.stop();
    expect(scope.pending).toBe(0);
    const after = runs;
    await tick(30);
    expect(runs).toBe(after);
  });

  it('untracks timers cleared inside the scope', () => {
    const scope = createTimerScope();
    scope.run(() => {
      const timer = setTimeout(() => undefined, 1_000);
      clearTimeout(timer);
    });
    expect(scope.pending).toBe(0);
  });

  it('restores the globals even if the function throws', () => {
    const scope = createTimerScope();
    expect(() =>
      scope.run(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });

  it('schedules nothing after stop()', async () => {
    const scope = createTimerScope();
    scope.stop();
    let fired = false;
    scope.run(() => setTimeout(() => (fired = true), 1));
    expect(scope.pending).toBe(0);
    await tick(20);
    expect(fired).toBe(false);
  });
});
