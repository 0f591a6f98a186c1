/**
 * Rebalancing that keeps a region tiled ([S20]): a `SectorWorld` needs every point of its world in
 * exactly one active sector at all times, so a unit crossing a border always has a shard to go
 * to. {@link planRebalance} may leave holes (a split keeps only the children with units, an empty
 * sector is dropped); {@link planTiledRebalance} fills them back with the children and sectors
 * that would have been removed, so the result tiles whatever the input tiled.
 */
import { SectorLayout } from './layout.js';
import { planRebalance, type RebalanceInput, type RebalancePlan } from './rebalance.js';
import { children, compareSectors, contains, type SectorId } from './sector.js';

/**
 * The sectors at `scale` that tile `root` (`root` itself at its own scale), sorted.
 *
 * @example
 * ```ts
 * tile(sector(0, 0, 2), 1); // the four scale-1 sectors of s2:0,0
 * ```
 */
export function tile(root: SectorId, scale: number): SectorId[] {
  if (scale >= root.scale) return [root];
  const d = root.scale - scale;
  const out: SectorId[] = [];
  const n = 2 ** d;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out.push({ x: root.x * n + x, y: root.y * n + y, scale });
  return out.sort(compareSectors);
}

/**
 * True when `leaves` cover `root` exactly: no two overlap and their areas add up to the root's
 * ([S20]). Leaves outside `root` make it false.
 *
 * @example
 * ```ts
 * tiles(sector(0, 0, 1), children(sector(0, 0, 1))); // true
 * ```
 */
export function tiles(root: SectorId, leaves: readonly SectorId[]): boolean {
  let area = 0;
  try {
    new SectorLayout(leaves);
  } catch {
    return false;
  }
  for (const l of leaves) {
    if (!contains(root, l)) return false;
    area += 4 ** l.scale;
  }
  return area === 4 ** root.scale;
}

/**
 * One round of {@link planRebalance} whose result still tiles what `input.leaves` tiled
 * ([S20]): children of a split that hold no units are added too, and an empty sector that would
 * be dropped stays unless a merge now covers it. `dropped` is therefore always empty.
 *
 * @example
 * ```ts
 * const plan = planTiledRebalance({ leaves, load: (id) => loads.get(key(id)) ?? { units: 0, activity: 0 }, policy: rebalancePolicy(), memory });
 * leaves = plan.leaves; // still tiles the region
 * ```
 */
export function planTiledRebalance(input: RebalanceInput): RebalancePlan {
  const plan = planRebalance(input);
  const layout = new SectorLayout(plan.leaves);
  for (const split of plan.splits) {
    for (const c of children(split.sector)) if (!layout.overlaps(c)) layout.add(c);
  }
  for (const d of plan.dropped) if (!layout.overlaps(d)) layout.add(d);
  return { ...plan, leaves: layout.leaves(), dropped: [] };
}
