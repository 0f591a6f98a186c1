/**
 * `pnpm fuzz [--seed n] [--frames n] [--case i]`: the long wire fuzz run (default 1,000,000
 * frames, random seed). Prints the seed first and a replay command for every failure; exits 1 on
 * any crash, hang, silent accept or invariant violation.
 */
import { parseArgs } from 'node:util';
import { type FuzzReport, describeFuzz, fuzzProblems, replayCommand, runFuzz } from '../src/wire/fuzz.js';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, frames: { type: 'string' }, case: { type: 'string' } },
  allowPositionals: true,
});

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
};

// A fresh seed per run explores new frames; the printed seed replays them.
const seed = int(values.seed, 'seed') ?? (Date.now() ^ (process.pid << 16)) >>> 0;
const frames = int(values.frames, 'frames') ?? 1_000_000;
const only = int(values.case, 'case');
console.log(only === undefined ? `fuzz: seed ${seed}, ${frames.toLocaleString('en-US')} frames` : `fuzz: seed ${seed}, case ${only}`);

const started = performance.now();
const total: FuzzReport = run();
const seconds = (performance.now() - started) / 1000;
console.log(`${describeFuzz(total)}\n${Math.round(total.frames / seconds).toLocaleString('en-US')} frames/s, slowest case ${total.slowestCaseMs.toFixed(1)} ms`);
if (fuzzProblems(total) > 0) {
  console.error(`FAILED. Replay this run: ${replayCommand(seed, { frames })}`);
  process.exitCode = 1;
}

function run(): FuzzReport {
  const now = (): number => performance.now();
  if (only !== undefined) return runFuzz({ seed, frames: 0, onlyCase: only, now });
  const onProgress = (r: FuzzReport): void => console.log(`  ${r.frames.toLocaleString('en-US')} frames, ${fuzzProblems(r)} problems`);
  return runFuzz({ seed, frames, now, onProgress });
}
