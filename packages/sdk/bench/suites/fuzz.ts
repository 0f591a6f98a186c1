/** Fuzz suite: a bench-sized run of the wire fuzzer (the long run is `pnpm fuzz`). */
import { describeFuzz, fuzzProblems, runFuzz } from '../../src/wire/fuzz.js';
import type { BenchSuite } from '../types.js';

/** Frames per bench run: enough to be meaningful, short enough for every `pnpm bench`. */
const FRAMES = 200_000;

const suite: BenchSuite = {
  name: 'fuzz',
  description: `wire fuzzer, ${FRAMES.toLocaleString('en-US')} random and mutated frames`,
  async run(ctx) {
    const started = ctx.now();
    const r = runFuzz({ seed: ctx.seed, frames: FRAMES, now: () => ctx.now() });
    const seconds = (ctx.now() - started) / 1000;
    return {
      metrics: {
        fuzz_frames: r.frames,
        fuzz_crashes: r.crashes,
        fuzz_hangs: r.hangs,
        fuzz_silent_accepts: r.silentAccepts,
        fuzz_invariant_violations: r.invariantViolations,
      },
      rows: [
        { metric: 'frames', value: r.frames },
        { metric: 'cases', value: r.cases },
        { metric: 'accepted (valid or still-valid mutations)', value: r.accepted },
        { metric: 'crashes', value: r.crashes },
        { metric: 'hangs', value: r.hangs },
        { metric: 'silent accepts', value: r.silentAccepts },
        { metric: 'invariant violations', value: r.invariantViolations },
        { metric: 'slowest case (ms)', value: Math.round(r.slowestCaseMs * 10) / 10 },
        { metric: 'frames/s', value: Math.round(r.frames / seconds) },
      ],
      notes: [`seed ${r.seed}; replay with: pnpm fuzz --seed ${r.seed} --frames ${FRAMES}`],
      failures: fuzzProblems(r) > 0 ? [describeFuzz(r)] : [],
    };
  },
};

export default suite;
