/**
 * One read-only view of a shard's unit positions, whether this peer is the czar (its own latest
 * samples) or a replica (the decoded stream).
 */
import type { PositionSample, PositionStreamDecoder } from './positions.js';

/** Unit positions of a shard, in the integer quanta the czar sent (e.g. centimetres). */
export interface PositionsView {
  /** Units known. */
  readonly size: number;
  /** Position of unit `id`, if known. */
  get(id: number): { readonly x: number; readonly y: number } | undefined;
  /** Calls `fn` for each unit, ids ascending. */
  forEach(fn: (id: number, x: number, y: number) => void): void;
  /** Unit ids, ascending. */
  ids(): readonly number[];
}

/** A view over a replica's decoder. */
export function decoderView(decoder: PositionStreamDecoder): PositionsView {
  return {
    get size() {
      return decoder.size;
    },
    get: (id) => decoder.get(id),
    forEach: (fn) => decoder.forEach(fn),
    ids: () => decoder.unitIds(),
  };
}

/** A view over the czar's own samples. */
export function samplesView(samples: readonly PositionSample[]): PositionsView {
  const sorted = [...samples].sort((a, b) => a.id - b.id);
  const byId = new Map(sorted.map((s) => [s.id, s]));
  return {
    size: sorted.length,
    get: (id) => {
      const s = byId.get(id);
      return s && { x: s.x, y: s.y };
    },
    forEach: (fn) => {
      for (const s of sorted) fn(s.id, s.x, s.y);
    },
    ids: () => sorted.map((s) => s.id),
  };
}
