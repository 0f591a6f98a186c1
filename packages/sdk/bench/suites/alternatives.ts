/**
 * Alternatives suite: bytes per moving unit per tick of our position stream beside what a
 * developer would otherwise send (schema patches, Yjs, msgpack, JSON), on one seeded RTS-like
 * workload (`positions-measure.ts`: units wandering a 1 km square at 1–3 m/s, 20 Hz, 200 ticks).
 */
import { Encoder } from '@colyseus/schema';
import { measureBytesPerMovingUnit, resolveWorkload, simulateMovement } from '../../src/replication/positions-measure.js';
import { measureAlternatives } from '../lib/movement-encodings.js';
import { round } from '../lib/stats.js';
import type { BenchRow, BenchSuite } from '../types.js';

const SIZES = [100, 500, 2000] as const;
/** The size of the unsuffixed metrics (the workload's default shard). */
const HEADLINE_UNITS = 500;
/** Buffer for schema's full encode of 2,000 units (~40 KB). */
const SCHEMA_BUFFER_BYTES = 128 * 1024;

interface Encoding {
  readonly label: string;
  /** Metric name after `bytes_per_moving_unit_`. */
  readonly key: string;
  /** Whether the unsuffixed (headline) metric is ours to write; ours and schema belong to the positions work. */
  readonly headline: boolean;
}

const ENCODINGS: readonly Encoding[] = [
  { label: 'ours: position stream (1 cm, keyframes incl.)', key: 'ours', headline: false },
  { label: '@colyseus/schema patches, float32 x/y', key: 'schema', headline: false },
  { label: '@colyseus/schema patches, int16 x/y', key: 'schema_int16', headline: false },
  { label: 'Yjs: Y.Map of units, each a Y.Map {x, y}', key: 'yjs_maps', headline: true },
  { label: 'Yjs: Y.Map of units, each [x, y]', key: 'yjs_arrays', headline: true },
  { label: 'msgpack: [{id, x, y}] of moved units', key: 'msgpack', headline: true },
  { label: 'JSON: [{id, x, y}] of moved units', key: 'json', headline: false },
  { label: 'JSON: full state every tick (naive gossip)', key: 'json_full', headline: true },
];

interface SizeResult {
  /** Bytes per moving unit per tick by encoding key (`ours`, `schema`, `yjs_maps`, …). */
  readonly perUnit: Readonly<Record<string, number>>;
  readonly movingUnitTicks: number;
  readonly int16Unit: string;
  readonly failure?: string;
}

/** Every encoding on the workload with `units` units. */
function measureSize(units: number, seed: number): SizeResult {
  const workload = { units, seed };
  const base = measureBytesPerMovingUnit(workload);
  const alt = measureAlternatives(simulateMovement(resolveWorkload(workload)));
  const per = (bytes: number): number => (alt.movingUnitTicks === 0 ? 0 : bytes / alt.movingUnitTicks);
  const yjsMaps = per(alt.yjsNestedMaps);
  const yjsArrays = per(alt.yjsArrays);
  return {
    perUnit: {
      ours: base.ours,
      schema: base.schema,
      schema_int16: base.schemaInt16,
      yjs_maps: yjsMaps,
      yjs_arrays: yjsArrays,
      yjs: Math.min(yjsMaps, yjsArrays),
      msgpack: per(alt.msgpack),
      json: base.json,
      json_full: per(alt.jsonFull),
    },
    movingUnitTicks: alt.movingUnitTicks,
    int16Unit: base.schemaInt16Unit,
    // Both sides count moving units the same way; a difference means the workloads diverged.
    ...(alt.movingUnitTicks === base.movingUnitTicks
      ? {}
      : { failure: `${units} units: ${alt.movingUnitTicks} moving unit-ticks here, ${base.movingUnitTicks} in measureBytesPerMovingUnit: the workloads diverged` }),
  };
}

const suite: BenchSuite = {
  name: 'alternatives',
  description: 'bytes per moving unit per tick: ours vs schema, Yjs, msgpack, JSON',
  async run(ctx) {
    const bySize = new Map<number, SizeResult>();
    // The schema baseline's first full encode at 2,000 units outgrows schema's default buffer; it
    // would grow it itself, with a console warning. Same bytes either way; restored afterwards.
    const bufferSize = Encoder.BUFFER_SIZE;
    Encoder.BUFFER_SIZE = Math.max(bufferSize, SCHEMA_BUFFER_BYTES);
    try {
      for (const units of SIZES) {
        ctx.log(`  alternatives: ${units} units`);
        bySize.set(units, measureSize(units, ctx.seed));
      }
    } finally {
      Encoder.BUFFER_SIZE = bufferSize;
    }
    const failures = [...bySize.values()].flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
    const int16Unit = bySize.get(HEADLINE_UNITS)?.int16Unit ?? '';

    const rows: BenchRow[] = ENCODINGS.map((e) => {
      const row: Record<string, string | number> = { encoding: e.label };
      for (const units of SIZES) row[`${units} units`] = round(bySize.get(units)?.perUnit[e.key] ?? Number.NaN, 2);
      const ours = bySize.get(HEADLINE_UNITS)?.perUnit['ours'] ?? Number.NaN;
      row[`× ours @${HEADLINE_UNITS}`] = round((bySize.get(HEADLINE_UNITS)?.perUnit[e.key] ?? Number.NaN) / ours, 1);
      return row;
    });
    const movingRow: Record<string, string | number> = { encoding: 'moving unit-ticks (denominator)' };
    for (const units of SIZES) movingRow[`${units} units`] = bySize.get(units)?.movingUnitTicks ?? 0;
    rows.push(movingRow);

    const metrics: Record<string, number> = {};
    for (const units of SIZES) {
      const m = bySize.get(units)?.perUnit ?? {};
      for (const key of ['ours', 'schema', 'yjs', 'yjs_maps', 'yjs_arrays', 'msgpack', 'json_full']) {
        metrics[`bytes_per_moving_unit_${key}_${units}`] = round(m[key] ?? Number.NaN, 2);
      }
      if (units === HEADLINE_UNITS) {
        for (const key of ['yjs', ...ENCODINGS.filter((e) => e.headline).map((e) => e.key)]) {
          metrics[`bytes_per_moving_unit_${key}`] = round(m[key] ?? Number.NaN, 2);
        }
      }
    }

    return {
      metrics,
      rows,
      failures,
      notes: [
        `bytes per moving unit per tick = bytes sent over 200 ticks at 20 Hz / unit-ticks whose 1 cm position changed; seed ${ctx.seed}; the initial full state is not counted for any encoding`,
        `ours, Yjs, msgpack and JSON carry metres rounded to 1 cm; schema float32 the raw metres, schema int16 ${int16Unit} (as in positions-measure.ts)`,
        'Yjs: one transaction per tick, bytes of the v1 updates from doc.on("update"), a fixed 5-byte client id (Yjs picks a random one); bytes_per_moving_unit_yjs is the cheaper of the two Yjs models',
        'msgpack: @msgpack/msgpack encode() defaults (non-integers as float64); JSON full: every unit every tick, divided by the moving units only',
        'no transport overhead (frame header, DTLS/SCTP) is added to any encoding',
      ],
    };
  },
};

export default suite;
