/**
 * `pnpm sim [--seeds N] [--first S] [--profile v1] [--workers W]` runs the deterministic
 * failover simulation (src/room/dst.node.ts, SPEC [R30]) over many seeds, spread over worker
 * processes, printing progress and a summary; exit code 1 if any seed failed, each with the
 * command that replays it. `pnpm sim --seed S [--verbose]` replays one seed (verbose prints every
 * protocol event).
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIM_PROFILES, runSimulation, simReplayHint, type SimOutcome } from '../src/room/dst.node.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    first: { type: 'string' },
    seed: { type: 'string' },
    profile: { type: 'string', default: 'v1' },
    workers: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    worker: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: true,
});

/** Seeds per child process before it is replaced by a fresh one. */
const BATCH_SEEDS = 2_000;

const int = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
};

const profile = SIM_PROFILES[values.profile ?? 'v1'];
if (!profile) throw new Error(`unknown --profile ${values.profile}; known: ${Object.keys(SIM_PROFILES).join(', ')}`);

interface Report {
  readonly seed: number;
  readonly problem?: string;
  readonly hint?: string;
  readonly stats: Record<string, number>;
}

if (values.help) {
  console.log('usage: pnpm sim [--seeds N] [--first S] [--profile v1] [--workers W] | pnpm sim --seed S [--verbose]');
} else if (values.worker !== undefined) {
  // Child: seeds first + k·stride, one JSON line per seed.
  const [first, count, stride, offset] = values.worker.split(',').map(Number) as [number, number, number, number];
  for (let i = offset; i < count; i += stride) {
    const o = runSimulation(first + i, profile);
    const r: Report = { seed: o.seed, stats: { ...o.stats }, ...(o.problem === undefined ? {} : { problem: o.problem, hint: simReplayHint(o) }) };
    process.send?.(r);
    // Let the seed's settled promises run: a rejection's pending reaction keeps its whole room alive.
    await new Promise((resolve) => setImmediate(resolve));
  }
} else if (values.seed !== undefined) {
  const o: SimOutcome = runSimulation(int(values.seed, 'seed', 0), profile, values.verbose);
  console.log(o.problem === undefined ? `seed ${o.seed}: ok ${JSON.stringify(o.stats)}\n  schedule: ${o.log.join(' | ')}` : simReplayHint(o));
  process.exitCode = o.problem === undefined ? 0 : 1;
} else {
  const count = int(values.seeds, 'seeds', 1_000);
  const first = int(values.first, 'first', 1);
  const workers = Math.max(1, Math.min(count, int(values.workers, 'workers', availableParallelism())));
  console.log(`sim: seeds ${first}..${first + count - 1} (profile ${profile.name}) on ${workers} worker(s)`);
  const started = performance.now();
  const totals: Record<string, number> = {};
  const failures: string[] = [];
  let done = 0;
  let nextReport = Math.max(1, Math.floor(count / 20));
  const self = fileURLToPath(import.meta.url);
  // Batches of seeds per child process: a fresh process per batch keeps memory flat on long runs.
  const batch = Math.max(1, Math.min(BATCH_SEEDS, Math.ceil(count / workers)));
  let next = 0;
  const runBatch = (from: number, n: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const child = fork(self, ['--worker', `${from},${n},1,0`, '--profile', profile.name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (r: Report) => {
        done++;
        for (const [key, v] of Object.entries(r.stats)) totals[key] = (totals[key] ?? 0) + v;
        if (r.hint !== undefined) {
          failures.push(r.hint);
          console.log(`FAIL ${r.hint}`);
        }
        if (done >= nextReport) {
          nextReport += Math.max(1, Math.floor(count / 20));
          const s = (performance.now() - started) / 1000;
          console.log(`  ${done}/${count} seeds, ${failures.length} failed, ${s.toFixed(0)} s (${((1000 * s) / done).toFixed(1)} ms/seed)`);
        }
      });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a worker (seeds ${from}..${from + n - 1}) exited with code ${code}`))));
    });
  const lane = async (): Promise<void> => {
    while (next < count) {
      const from = first + next;
      const n = Math.min(batch, count - next);
      next += n;
      await runBatch(from, n);
    }
  };
  await Promise.all(Array.from({ length: workers }, () => lane()));
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nsim: ${done} seeds in ${seconds.toFixed(0)} s, ${failures.length} failed`);
  console.log(`  totals: ${Object.entries(totals).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (failures.length > 0) {
    console.log(`\nfailed seeds:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}
