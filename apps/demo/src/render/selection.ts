/**
 * Which ships the player selected: ids in a set, mirrored into a per-row flag array for the
 * renderer, recomputed only when the selection or the world table changed.
 */
import type { WorldTable } from '../game/world.js';

export class Selection {
  readonly ids = new Set<string>();
  flags = new Uint8Array(256);
  private version = 0;
  private flaggedFor = -1;
  private flaggedWorld = -1;

  clear(): void {
    this.ids.clear();
    this.version++;
  }

  /** Replaces (or with `add`, extends) the selection with the ships of `owner` inside the screen box. */
  selectBox(w: WorldTable, owner: string, x0: number, y0: number, x1: number, y1: number, add: boolean): void {
    if (!add) this.ids.clear();
    const minX = Math.min(x0, x1);
    const maxX = Math.max(x0, x1);
    const minY = Math.min(y0, y1);
    const maxY = Math.max(y0, y1);
    for (let i = 0; i < w.count; i++) {
      if (w.owners[i] !== owner) continue;
      const x = w.x[i]!;
      const y = w.y[i]!;
      if (x >= minX && x <= maxX && y >= minY && y <= maxY) this.ids.add(w.ids[i]!);
    }
    this.version++;
  }

  /** Selects the ship of `owner` nearest to (x, y) within `radius` (world units); none found clears unless `add`. */
  selectNearest(w: WorldTable, owner: string, x: number, y: number, radius: number, add: boolean): void {
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < w.count; i++) {
      if (w.owners[i] !== owner) continue;
      const dx = w.x[i]! - x;
      const dy = w.y[i]! - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    if (!add) this.ids.clear();
    if (best >= 0) {
      const id = w.ids[best]!;
      if (add && this.ids.has(id)) this.ids.delete(id);
      else this.ids.add(id);
    }
    this.version++;
  }

  /** Selects every ship of `owner`. */
  selectAll(w: WorldTable, owner: string): void {
    this.ids.clear();
    for (let i = 0; i < w.count; i++) if (w.owners[i] === owner) this.ids.add(w.ids[i]!);
    this.version++;
  }

  /** The per-row flags for table version `worldVersion`; drops ids that no longer exist. */
  flagsFor(w: WorldTable, worldVersion: number): Uint8Array {
    if (this.flaggedFor === this.version && this.flaggedWorld === worldVersion) return this.flags;
    if (this.flags.length < w.count) this.flags = new Uint8Array(Math.max(w.count, this.flags.length * 2));
    this.flags.fill(0);
    for (const id of this.ids) {
      const i = w.indexOf(id);
      if (i >= 0) this.flags[i] = 1;
      else this.ids.delete(id);
    }
    this.flaggedFor = this.version;
    this.flaggedWorld = worldVersion;
    return this.flags;
  }
}
