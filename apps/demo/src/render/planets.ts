/**
 * Planets: owner colour, capture progress as an arc in the capturer's colour.
 */
import { GALAXY_BOUNDS, SECTORS } from '../game/galaxy.js';
import type { Sector } from '../net/schema.js';
import type { Camera } from './camera.js';

/** Draws the planets of every sector on screen. `colourOf` maps a player id to its colour. */
export function drawPlanets(ctx: CanvasRenderingContext2D, cam: Camera, sector: (index: number) => Sector, colourOf: (player: string) => string): void {
  const minX = cam.wx(0);
  const maxX = cam.wx(cam.width);
  const minY = cam.wy(0);
  const maxY = cam.wy(cam.height);
  if (maxX < GALAXY_BOUNDS.minX || minX > GALAXY_BOUNDS.maxX) return;
  for (const info of SECTORS) {
    const b = info.bounds;
    if (b.maxX < minX || b.minX > maxX || b.maxY < minY || b.minY > maxY) continue;
    for (const p of sector(info.index).planets) {
      const sx = cam.sx(p.x);
      const sy = cam.sy(p.y);
      const r = Math.max(3, p.r * cam.zoom);
      ctx.beginPath();
      ctx.arc(sx, sy, r, 0, Math.PI * 2);
      ctx.fillStyle = p.owner ? colourOf(p.owner) : '#3a4258';
      ctx.globalAlpha = p.owner ? 0.85 : 1;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1;
      ctx.strokeStyle = 'rgba(220, 230, 255, 0.5)';
      ctx.stroke();
      const who = p.owner && p.progress < 100 ? p.owner : p.capturer;
      if (who && p.progress > 0 && p.progress < 100) {
        ctx.beginPath();
        ctx.arc(sx, sy, r + 4, -Math.PI / 2, -Math.PI / 2 + (Math.PI * 2 * p.progress) / 100);
        ctx.strokeStyle = colourOf(who);
        ctx.lineWidth = 3;
        ctx.stroke();
      }
    }
  }
}
