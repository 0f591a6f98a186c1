/**
 * Sector summaries ([S19]): what a zoomed-out view shows instead of units. A parent's summary is
 * the roll-up of its children's, so coarse views need no unit-level traffic at all.
 */

/** Units in a sector, per owner, and recent activity. `owners` keys are sorted and have no prototype. */
export interface SectorSummary {
  /** Units in the sector. */
  readonly count: number;
  /** Units per owner (player or peer id); owners with no units are absent. */
  readonly owners: Readonly<Record<string, number>>;
  /** Unit events in the last round (see `SectorActivity`). */
  readonly activity: number;
}

function sortedOwners(counts: Map<string, number>): Record<string, number> {
  // No prototype: an owner called "__proto__" or "constructor" is just another key.
  const owners = Object.create(null) as Record<string, number>;
  for (const k of [...counts.keys()].sort()) owners[k] = counts.get(k)!;
  return owners;
}

/**
 * Summary of the given units ([S19]).
 *
 * @example
 * ```ts
 * summarize([{ owner: 'red' }, { owner: 'red' }, { owner: 'blue' }], 5);
 * // { count: 3, owners: { red: 2, blue: 1 }, activity: 5 }
 * ```
 */
export function summarize(units: Iterable<{ readonly owner: string }>, activity = 0): SectorSummary {
  const counts = new Map<string, number>();
  let count = 0;
  for (const u of units) {
    counts.set(u.owner, (counts.get(u.owner) ?? 0) + 1);
    count++;
  }
  return { count, owners: sortedOwners(counts), activity };
}

/**
 * Summary of a parent from its children's summaries ([S19]): counts, owners and activity add up,
 * so `rollUp(children.map(summarize))` equals `summarize` of all their units. Associative and
 * commutative, so it can be applied scale by scale. Activity is summed too: a unit that moved
 * between two children counts once in each.
 *
 * @example
 * ```ts
 * const parent = rollUp(children(id).map((c) => summaries.get(key(c)) ?? summarize([])));
 * // counts, owners and activity of the four children added up
 * ```
 */
export function rollUp(parts: Iterable<SectorSummary>): SectorSummary {
  const counts = new Map<string, number>();
  let count = 0;
  let activity = 0;
  for (const p of parts) {
    count += p.count;
    activity += p.activity;
    for (const owner of Object.keys(p.owners)) counts.set(owner, (counts.get(owner) ?? 0) + p.owners[owner]!);
  }
  return { count, owners: sortedOwners(counts), activity };
}
