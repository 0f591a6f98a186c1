/**
 * The shared transport conformance suite on the simulated network: once on the default (perfect,
 * 10 ms) network and once on a lossy, jittery, duplicating, reordering, bandwidth-capped one.
 */
import { describe, it } from 'vitest';
import { conformanceScenarios } from './conformance.js';
import { createSimHarness, type SimHarnessOptions } from './sim/harness.js';
import type { LinkOptions } from './sim/options.js';

const SEED = 0x5eed;

const LOSSY: Partial<LinkOptions> = {
  latencyMs: 20,
  jitterMs: 60, // one-way delay uniform in [20, 80) ms
  loss: 0.05,
  duplicate: 0.02,
  reorder: 0.05,
  reorderDelayMs: 100,
  bandwidthBytesPerSec: 1_000_000,
};

/**
 * [T3] asserts that each state message arrives exactly once. On `state`, loss and duplication are
 * the documented semantics, not a transport fault, so on the lossy network T3 alone runs with
 * loss and duplication at 0 (latency, jitter, reordering and bandwidth stay). Every other
 * scenario uses `control` (where loss becomes delay) or only keep-alives (which survive 5% loss)
 * and runs on the full lossy configuration.
 */
const lossyFor = (name: string): Partial<LinkOptions> => (name.startsWith('[T3]') ? { ...LOSSY, loss: 0, duplicate: 0 } : LOSSY);

const configs: Array<{ label: string; options: (name: string) => SimHarnessOptions }> = [
  { label: 'perfect network', options: () => ({ seed: SEED }) },
  { label: 'lossy network (5% loss, 20-80 ms, 2% dup, 5% reorder, 1 MB/s)', options: (name) => ({ seed: SEED, defaultLink: lossyFor(name) }) },
];

for (const { label, options } of configs) {
  describe(`SimTransport conformance on a ${label}`, () => {
    for (const scenario of conformanceScenarios) {
      it(scenario.name, async () => {
        const h = createSimHarness(options(scenario.name));
        try {
          await scenario.run(h);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          throw new Error(`${msg} (seed ${h.network.seed}, virtual time ${h.network.now()} ms)`, { cause: err });
        } finally {
          await h.dispose();
        }
      });
    }
  });
}
