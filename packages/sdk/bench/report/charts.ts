/**
 * Charts the report draws from metrics by itself, so suites need not know about the report.
 * A chart is left out when none of its metrics were measured; a suite's own chart with the same
 * id replaces the built-in one.
 */
import type { BarChart, BenchChart, LineChart } from '../types.js';

type Metrics = Readonly<Record<string, number>>;

/** Room sizes of the replication suite's propagation runs. */
export const PROPAGATION_PEERS = [8, 32, 64] as const;
/** Unit counts of the alternatives suite. */
export const ALTERNATIVE_UNITS = [100, 500, 2000] as const;
/** Encodings compared in the bytes chart: metric key part → legend. */
export const ALTERNATIVE_ENCODINGS: ReadonlyArray<readonly [key: string, label: string]> = [
  ['ours', 'ours (position stream)'],
  ['schema', '@colyseus/schema'],
  ['yjs', 'Yjs'],
  ['msgpack', 'msgpack'],
  ['json', 'JSON (moved units)'],
  ['json_full', 'JSON (full state)'],
];

const value = (m: Metrics, key: string): number => {
  const v = m[key];
  return typeof v === 'number' ? v : Number.NaN;
};

/** p50/p99 of delta propagation against room size (`propagation_p50_ms_N`, `propagation_p99_ms_N`). */
export function propagationChart(m: Metrics): LineChart | undefined {
  const series = (['p50', 'p99'] as const).map((p) => ({
    name: `${p} (czar send → last replica)`,
    points: PROPAGATION_PEERS.map((n) => ({ x: n, y: value(m, `propagation_${p}_ms_${n}`) })).filter((q) => Number.isFinite(q.y)),
  }));
  if (series.every((s) => s.points.length === 0)) return undefined;
  return {
    kind: 'line',
    id: 'propagation-latency',
    title: 'Delta propagation latency vs room size (20 ms links, 1% loss)',
    xLabel: 'peers in the room',
    yLabel: 'milliseconds',
    series,
  };
}

/** Bytes per moving unit per tick for each encoding at each unit count (`bytes_per_moving_unit_<enc>_<units>`). */
export function bytesPerUnitChart(m: Metrics): BarChart | undefined {
  const series = ALTERNATIVE_ENCODINGS.map(([key, name]) => ({ name, values: ALTERNATIVE_UNITS.map((u) => value(m, `bytes_per_moving_unit_${key}_${u}`)) })).filter((s) =>
    s.values.some(Number.isFinite),
  );
  if (series.length === 0) return undefined;
  return {
    kind: 'bar',
    id: 'bytes-per-moving-unit',
    title: 'Bytes per moving unit per tick (lower is better)',
    yLabel: 'bytes per moving unit per tick',
    groups: ALTERNATIVE_UNITS.map((u) => `${u.toLocaleString('en-US')} units`),
    series,
  };
}

/** Built-in charts from `metrics`, then the suites' own charts; a later chart replaces an earlier one of the same id. */
export function collectCharts(metrics: Metrics, suiteCharts: readonly BenchChart[]): BenchChart[] {
  const byId = new Map<string, BenchChart>();
  for (const c of [propagationChart(metrics), bytesPerUnitChart(metrics), ...suiteCharts]) if (c) byId.set(c.id, c);
  return [...byId.values()];
}
