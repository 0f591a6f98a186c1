import type { SimNetwork } from '@anarchy/sdk/testing';

/**
 * Waits for a promise whose answer needs the simulated network (an `act()`, a `leave()`):
 * advances virtual time `stepMs` at a time, letting promise callbacks run between steps.
 */
export async function settle<T>(net: SimNetwork, promise: Promise<T>, maxMs = 30_000, stepMs = 10): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let waited = 0; !done && waited < maxMs; waited += stepMs) {
    net.run(stepMs);
    await Promise.resolve();
  }
  return promise;
}
