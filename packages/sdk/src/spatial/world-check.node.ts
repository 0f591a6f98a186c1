/**
 * Test and benchmark support (excluded from the build): a census of a `SectorWorld` across the
 * live peers of a simulation, checking [S23] — no unit lost, none in two sectors.
 */
import type { SectorState } from './world-state.js';
import type { SectorWorld } from './world.js';

/** What {@link census} found. */
export interface Census {
  /** Units (ids) present in some `units` map. */
  readonly placed: number;
  /** Units only in an outbox (in transfer, not yet held by their destination). */
  readonly pending: number;
  /** Expected ids found nowhere. */
  readonly missing: string[];
  /** Ids in the `units` map of two or more sectors, with the sectors. */
  readonly duplicates: string[];
  /** Ids found that were never expected. */
  readonly unexpected: string[];
  /** Units whose sector shard is not the active sector holding their position (after settling, none). */
  readonly misplaced: number;
  /** Outbox entries in all sectors. */
  readonly outbox: number;
}

/**
 * Counts units by id over every sector shard ([S23]), reading each shard from its czar, or, while
 * it has none, from the live replica with the newest (term, seq).
 */
export function census(worlds: readonly SectorWorld[], expected: ReadonlySet<string>): Census {
  const live = worlds.filter((w) => !w.room.closed);
  const where = new Map<string, string[]>();
  const inTransit = new Set<string>();
  let misplaced = 0;
  let outbox = 0;
  const reference = live[0];
  if (!reference) return { placed: 0, pending: 0, missing: [...expected], duplicates: [], unexpected: [], misplaced, outbox };
  for (const shard of reference.sectorShards()) {
    let best: SectorWorld | undefined;
    let bestKey: [number, string, number] | undefined;
    for (const w of live) {
      if (!w.holds(shard)) continue;
      if (w.room.isCzar(shard)) {
        best = w;
        break;
      }
      const t = w.room.termOf(shard);
      if (!t) continue;
      const k: [number, string, number] = [t.term, t.czar, t.seq];
      if (!bestKey || k[0] > bestKey[0] || (k[0] === bestKey[0] && (k[1] > bestKey[1] || (k[1] === bestKey[1] && k[2] > bestKey[2])))) {
        best = w;
        bestKey = k;
      }
    }
    if (!best) continue;
    const state = best.room.state<SectorState>(shard);
    state.units.forEach((u, id) => {
      let list = where.get(id);
      if (!list) where.set(id, (list = []));
      list.push(shard);
      const at = best.sectorAt(u.x, u.y);
      if (!at || `s${at.scale}:${at.x},${at.y}` !== shard) misplaced++;
    });
    state.outbox.forEach((tr) => {
      outbox++;
      inTransit.add(tr.unit);
    });
  }
  const duplicates = [...where].filter(([, l]) => l.length > 1).map(([id, l]) => `${id} in ${l.join(' and ')}`);
  const missing = [...expected].filter((id) => !where.has(id) && !inTransit.has(id));
  const unexpected = [...new Set([...where.keys(), ...inTransit])].filter((id) => !expected.has(id));
  const pending = [...inTransit].filter((id) => !where.has(id)).length;
  return { placed: where.size, pending, missing, duplicates, unexpected, misplaced, outbox };
}
