/**
 * The active sectors of a scale-adaptive quadtree: the leaves, each one shard. Invariant [S14]:
 * no leaf is an ancestor of another, so every point of the world is in at most one leaf. Lookups
 * walk at most {@link MAX_SCALE} + 1 ancestors.
 */
import { ArgumentError } from '../errors.js';
import { MAX_SCALE, ancestorAt, compareSectors, key, parent, type SectorId } from './sector.js';

/**
 * A mutable set of non-overlapping sectors (the leaves of the active quadtree).
 *
 * @example
 * ```ts
 * const layout = new SectorLayout([sector(0, 0, 1), sector(2, 0, 0)]);
 * layout.leafOf(sector(1, 1, 0)); // { x: 0, y: 0, scale: 1 }: the active sector holding it
 * layout.has(sector(2, 0, 0)); // true
 * ```
 */
export class SectorLayout {
  private readonly leafByKey = new Map<string, SectorId>();
  /** For every strict ancestor of a leaf: how many leaves lie below it. */
  private readonly below = new Map<string, number>();
  /** The leaves sorted, until the next change: worlds ask for them every view change. */
  private sorted: readonly SectorId[] | undefined;

  /** Throws {@link ArgumentError} if two of `leaves` overlap. */
  constructor(leaves: Iterable<SectorId> = []) {
    for (const id of leaves) this.add(id);
  }

  /** Number of leaves. */
  get size(): number {
    return this.leafByKey.size;
  }

  /** The leaves, sorted by {@link compareSectors}. */
  leaves(): SectorId[] {
    this.sorted ??= [...this.leafByKey.values()].sort(compareSectors);
    return [...this.sorted];
  }

  /** True when `id` itself is a leaf. */
  has(id: SectorId): boolean {
    return this.leafByKey.has(key(id));
  }

  /** The leaf that is `id` or one of its ancestors, if any. */
  leafOf(id: SectorId): SectorId | undefined {
    for (let s = id.scale; s <= MAX_SCALE; s++) {
      const leaf = this.leafByKey.get(key(ancestorAt(id, s)));
      if (leaf) return leaf;
    }
    return undefined;
  }

  /** Number of leaves strictly inside `id`. */
  leavesBelow(id: SectorId): number {
    return this.below.get(key(id)) ?? 0;
  }

  /** True when `id` shares area with some leaf (is one, holds one, or lies inside one). */
  overlaps(id: SectorId): boolean {
    return this.leavesBelow(id) > 0 || this.leafOf(id) !== undefined;
  }

  /** Adds a leaf. Throws {@link ArgumentError} if it overlaps an existing one ([S14]). */
  add(id: SectorId): void {
    if (this.overlaps(id)) {
      throw new ArgumentError(`Sector ${key(id)} overlaps an active sector; active sectors must not nest.`, { sector: key(id) });
    }
    this.leafByKey.set(key(id), { x: id.x, y: id.y, scale: id.scale });
    this.sorted = undefined;
    for (let p = parent(id); p; p = parent(p)) {
      const k = key(p);
      this.below.set(k, (this.below.get(k) ?? 0) + 1);
    }
  }

  /** Removes a leaf; false if `id` was not one. */
  remove(id: SectorId): boolean {
    if (!this.leafByKey.delete(key(id))) return false;
    this.sorted = undefined;
    for (let p = parent(id); p; p = parent(p)) {
      const k = key(p);
      const n = (this.below.get(k) ?? 0) - 1;
      if (n > 0) this.below.set(k, n);
      else this.below.delete(k);
    }
    return true;
  }

  /**
   * The sector a new leaf should take to cover `id`, which no leaf covers yet ([S14]): the
   * coarsest ancestor-or-self of `id` no coarser than `scale` that holds no leaf. `undefined`
   * if a leaf already covers `id`. Throws {@link ArgumentError} if leaves lie inside `id`.
   */
  coverFor(id: SectorId, scale: number): SectorId | undefined {
    if (this.leafOf(id) !== undefined) return undefined;
    for (let s = Math.max(scale, id.scale); s > id.scale; s--) {
      const a = ancestorAt(id, s);
      if (this.leavesBelow(a) === 0) return a;
    }
    if (this.leavesBelow(id) > 0) {
      throw new ArgumentError(`Sector ${key(id)} holds active sectors; ask for a cover at the finest scale in use.`, { sector: key(id) });
    }
    return id;
  }
}
