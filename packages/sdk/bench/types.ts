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
  /**
   * Charts for `docs/benchmarks.md`, drawn as SVG into `docs/charts/<id>.svg` by the report
   * (`bench/report/`). Optional: the report also draws some charts from metrics by itself.
   */
  readonly charts?: readonly BenchChart[];
}

/** One point in time of a {@link TimelineChart}: what happened `t_ms` after the chart's zero. */
export interface TimelineEvent {
  /** Milliseconds since the start of the scenario (virtual time on the simulated network). */
  readonly t_ms: number;
  /** What happened, short: `czar crashed`, `suspected`, `declared dead`, `backup writes`. */
  readonly event: string;
  /** Row to draw it on (e.g. the peer that saw it); events without a lane share one row. */
  readonly lane?: string;
}

/** Events on a time axis, e.g. one failover from crash to the first write of the new czar. */
export interface TimelineChart {
  readonly kind: 'timeline';
  /** File name stem: `docs/charts/<id>.svg`; letters, digits and dashes. */
  readonly id: string;
  readonly title: string;
  readonly events: readonly TimelineEvent[];
}

/** Lines through points, one per series (e.g. p50 and p99 latency against room size). */
export interface LineChart {
  readonly kind: 'line';
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: ReadonlyArray<{ readonly name: string; readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }> }>;
}

/** Grouped bars: one group per category, one bar per series in each group. */
export interface BarChart {
  readonly kind: 'bar';
  readonly id: string;
  readonly title: string;
  readonly yLabel: string;
  readonly groups: readonly string[];
  /** `values[i]` belongs to `groups[i]`; NaN leaves a gap. */
  readonly series: ReadonlyArray<{ readonly name: string; readonly values: readonly number[] }>;
}

export type BenchChart = TimelineChart | LineChart | BarChart;

export interface BenchSuite {
  /** Short id, used by `--suite`. */
  readonly name: string;
  readonly description: string;
  /**
   * Runs before the others when true: its figures are one core's throughput, which a heap left
   * large by the simulation suites (scale holds hundreds of rooms) slows (frame encoding measured
   * 76 MB/s alone, 15 MB/s after the other suites).
   */
  readonly first?: boolean;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
