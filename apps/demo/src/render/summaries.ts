/**
 * Zoomed out past the gameplay scale, sectors show summaries instead of ships: the gameplay
 * sectors' summaries rolled up (`spatial.rollUp`) to the drawn scale, as a pie of owner colours
 * sized by the ship count.
 */
import { spatial } from '@anarchy/sdk';
import { SECTOR_SIZE } from '../game/constants.js';
import { GALAXY_BOUNDS, SECTORS } from '../game/galaxy.js';
import type { WorldTable } from '../game/world.js';
import type { Camera } from './camera.js';

interface Bubble {
  readonly x: number;
  readonly y: number;
  readonly summary: spatial.SectorSummary;
}

/** Rolled-up summaries per sector of one scale, recomputed only when the world or the scale changed. */
export class SummaryCache {
  private version = -1;
  private scale = -1;
  private bubbles: Bubble[] = [];

  get(w: WorldTable, version: number, scale: number): readonly Bubble[] {
    if (version === this.version && scale === this.scale) return this.bubbles;
    this.version = version;
    this.scale = scale;
    const groups = new Map<string, { id: spatial.SectorId; parts: spatial.SectorSummary[] }>();
    for (const s of SECTORS) {
      const id = spatial.ancestorAt(s.id, scale);
      const k = spatial.key(id);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { id, parts: [] }));
      g.parts.push(w.summary(s.index));
    }
    const b = GALAXY_BOUNDS;
    this.bubbles = [...groups.values()].map((g) => {
      const r = spatial.bounds(g.id, SECTOR_SIZE);
      // Centre of the part of the sector inside the galaxy: coarse sectors overhang its edge.
      const x = (Math.max(r.minX, b.minX) + Math.min(r.maxX, b.maxX)) / 2;
      const y = (Math.max(r.minY, b.minY) + Math.min(r.maxY, b.maxY)) / 2;
      return { x, y, summary: spatial.rollUp(g.parts) };
    });
    return this.bubbles;
  }
}

/** Draws the summaries of `scale`. */
export function drawSummaries(ctx: CanvasRenderingContext2D, cam: Camera, bubbles: readonly Bubble[], scale: number, colourOf: (player: string) => string): void {
  // A bubble never outgrows its sector on screen.
  const maxR = Math.max(4, SECTOR_SIZE * 2 ** scale * cam.zoom * 0.35);
  ctx.font = '12px ui-monospace, monospace';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const bub of bubbles) {
    const { count, owners } = bub.summary;
    if (count === 0) continue;
    const sx = cam.sx(bub.x);
    const sy = cam.sy(bub.y);
    const r = Math.min(maxR, 6 + Math.sqrt(count) * 2.5);
    let a = -Math.PI / 2;
    for (const owner in owners) {
      const share = (owners[owner]! / count) * Math.PI * 2;
      ctx.beginPath();
      ctx.moveTo(sx, sy);
      ctx.arc(sx, sy, r, a, a + share);
      ctx.closePath();
      ctx.fillStyle = colourOf(owner);
      ctx.fill();
      a += share;
    }
    ctx.fillStyle = '#ffffff';
    ctx.fillText(String(count), sx, sy + r + 10);
  }
  ctx.textAlign = 'start';
}
