/**
 * A flat, render-friendly table of every ship in the galaxy, rebuilt from the sector states when
 * they change (not every frame) and re-positioned every frame without allocating: typed arrays,
 * grown by doubling, reused across rebuilds.
 *
 * A ship handed from one sector to the next exists in both for a moment; the table keeps the copy
 * with the most hops, so every ship appears once.
 */
import type { spatial } from '@anarchy/sdk';
import { SECTORS } from './galaxy.js';
import type { SectorData } from './model.js';
import { positionOf, type MutablePoint } from './motion.js';

const scratch: MutablePoint = { x: 0, y: 0 };

function grow<T extends Float64Array | Float32Array | Int32Array | Uint8Array | Int16Array | Uint16Array>(a: T, size: number, make: (n: number) => T): T {
  if (a.length >= size) return a;
  const next = make(Math.max(size, a.length * 2));
  next.set(a);
  return next;
}

/** Every ship, one row each (index `0..count-1`). */
export class WorldTable {
  count = 0;
  readonly ids: string[] = [];
  readonly owners: string[] = [];
  /** Sector index (into `SECTORS`) of the copy kept. */
  sector = new Int16Array(256);
  hops = new Uint16Array(256);
  x0 = new Float64Array(256);
  y0 = new Float64Array(256);
  tx = new Float64Array(256);
  ty = new Float64Array(256);
  t0 = new Float64Array(256);
  hp = new Uint8Array(256);
  /** Positions at the last {@link WorldTable.update}. */
  x = new Float32Array(256);
  y = new Float32Array(256);
  /** 1 while a ship is flying (for the renderer's heading marks). */
  moving = new Uint8Array(256);
  /** Unit heading of the current path (1, 0 for a ship that never moved). */
  hx = new Float32Array(256);
  hy = new Float32Array(256);
  /** Index of the owner in {@link WorldTable.ownerKeys}, so renderers batch by owner. */
  ownerIdx = new Uint16Array(256);
  /** Distinct owners, in order of first appearance. */
  readonly ownerKeys: string[] = [];
  private readonly ownerIndex = new Map<string, number>();
  /** Ships per owner in each gameplay sector (index as `SECTORS`). */
  readonly perSector: Array<Map<string, number>> = SECTORS.map(() => new Map());
  private readonly index = new Map<string, number>();

  /** Rebuilds the rows from the states of the gameplay sectors (`state(i)` for `SECTORS[i]`). */
  rebuild(state: (sectorIndex: number) => SectorData | undefined): void {
    this.index.clear();
    let n = 0;
    for (const m of this.perSector) m.clear();
    for (let si = 0; si < SECTORS.length; si++) {
      const s = state(si);
      if (!s) continue;
      s.units.forEach((u, id) => {
        let row = this.index.get(id);
        if (row !== undefined) {
          if (this.hops[row]! >= u.hops) return; // the older copy of a ship in hand-off
        } else {
          row = n++;
          this.ensure(n);
          this.index.set(id, row);
        }
        this.ids[row] = id;
        this.owners[row] = u.owner;
        this.sector[row] = si;
        this.hops[row] = u.hops;
        this.x0[row] = u.x;
        this.y0[row] = u.y;
        this.tx[row] = u.tx;
        this.ty[row] = u.ty;
        this.t0[row] = u.t0;
        this.hp[row] = u.hp;
      });
    }
    this.count = n;
    this.ids.length = n;
    this.owners.length = n;
    this.ownerKeys.length = 0;
    this.ownerIndex.clear();
    for (let i = 0; i < n; i++) {
      const owner = this.owners[i]!;
      const m = this.perSector[this.sector[i]!]!;
      m.set(owner, (m.get(owner) ?? 0) + 1);
      let k = this.ownerIndex.get(owner);
      if (k === undefined) {
        k = this.ownerKeys.length;
        this.ownerKeys.push(owner);
        this.ownerIndex.set(owner, k);
      }
      this.ownerIdx[i] = k;
      const dx = this.tx[i]! - this.x0[i]!;
      const dy = this.ty[i]! - this.y0[i]!;
      const len = Math.sqrt(dx * dx + dy * dy);
      this.hx[i] = len > 0 ? dx / len : 1;
      this.hy[i] = len > 0 ? dy / len : 0;
    }
  }

  /** Moves every row to its position at its sector's tick (`ticks[sectorIndex]`, fractional). */
  update(ticks: ArrayLike<number>): void {
    for (let i = 0; i < this.count; i++) {
      const tick = ticks[this.sector[i]!]!;
      positionOf(this.x0[i]!, this.y0[i]!, this.tx[i]!, this.ty[i]!, this.t0[i]!, tick, scratch);
      this.x[i] = scratch.x;
      this.y[i] = scratch.y;
      this.moving[i] = scratch.x !== this.tx[i] || scratch.y !== this.ty[i] ? 1 : 0;
    }
  }

  /** Row of ship `id`, or -1. */
  indexOf(id: string): number {
    return this.index.get(id) ?? -1;
  }

  /** The summary of gameplay sector `i`, as `spatial.summarize` would make it. */
  summary(i: number): spatial.SectorSummary {
    const owners = Object.create(null) as Record<string, number>;
    let count = 0;
    const m = this.perSector[i];
    if (m) {
      for (const k of [...m.keys()].sort()) {
        owners[k] = m.get(k)!;
        count += m.get(k)!;
      }
    }
    return { count, owners, activity: 0 };
  }

  private ensure(size: number): void {
    if (this.x0.length >= size) return;
    this.sector = grow(this.sector, size, (n) => new Int16Array(n));
    this.hops = grow(this.hops, size, (n) => new Uint16Array(n));
    this.x0 = grow(this.x0, size, (n) => new Float64Array(n));
    this.y0 = grow(this.y0, size, (n) => new Float64Array(n));
    this.tx = grow(this.tx, size, (n) => new Float64Array(n));
    this.ty = grow(this.ty, size, (n) => new Float64Array(n));
    this.t0 = grow(this.t0, size, (n) => new Float64Array(n));
    this.hp = grow(this.hp, size, (n) => new Uint8Array(n));
    this.x = grow(this.x, size, (n) => new Float32Array(n));
    this.y = grow(this.y, size, (n) => new Float32Array(n));
    this.moving = grow(this.moving, size, (n) => new Uint8Array(n));
    this.hx = grow(this.hx, size, (n) => new Float32Array(n));
    this.hy = grow(this.hy, size, (n) => new Float32Array(n));
    this.ownerIdx = grow(this.ownerIdx, size, (n) => new Uint16Array(n));
  }
}
