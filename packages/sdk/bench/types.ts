/**
 * The benchmark framework's contract. A suite is a file in `bench/suites/` whose default export
 * is a {@link BenchSuite}; `bench/run.ts` finds it by itself, so adding a suite touches no
 * shared file.
 */

export interface BenchContext {
  /** Fixed seed of this run (`--seed`); suites derive all randomness from it. */
  readonly seed: number;
  /** Real milliseconds, for timing. Benchmarks may read the wall clock; protocol code never does. */
  now(): number;
  /** Prints a progress line (to stderr, so tables on stdout stay clean). */
  log(line: string): void;
}

/** One row of a suite's table: column name → cell. */
export type BenchRow = Readonly<Record<string, string | number>>;

export interface SuiteResult {
  /**
   * Flat numeric metrics, merged into `<repo>/bench/results.json` with `--json`. Keys are global:
   * start them with the suite's topic (`wire_…`, `fuzz_…`), except keys an issue names exactly
   * (`detection_p99_ms`, `bytes_per_moving_unit`, …), which keep that name.
   */
  readonly metrics: Readonly<Record<string, number>>;
  /** The suite's table. */
  readonly rows: readonly BenchRow[];
  /** Lines printed under the table (what was measured, how). */
  readonly notes?: readonly string[];
  /** Problems found (e.g. fuzz failures); any makes the run exit with code 1. */
  readonly failures?: readonly string[];
}

export interface BenchSuite {
  /** Short id, used by `--suite`. */
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
