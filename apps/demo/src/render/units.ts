/**
 * Ships, batched: one path and one fill per owner colour, one stroke for the selection. No
 * allocation per ship: positions come from the world table's typed arrays.
 */
import type { WorldTable } from '../game/world.js';
import type { Camera } from './camera.js';

/**
 * Draws the ships of `w` (positioned). `colours[k]` is the fill of owner `w.ownerKeys[k]`;
 * `selected[i]` marks selected rows.
 */
export function drawUnits(ctx: CanvasRenderingContext2D, cam: Camera, w: WorldTable, colours: readonly string[], selected: Uint8Array): void {
  const size = Math.min(9, Math.max(3, cam.zoom * 16));
  const triangles = size >= 4;
  const pad = size * 2;
  const halfW = cam.width / 2;
  const halfH = cam.height / 2;
  const { cx, cy, zoom } = cam;
  for (let k = 0; k < w.ownerKeys.length; k++) {
    ctx.fillStyle = colours[k] ?? '#999999';
    ctx.beginPath();
    for (let i = 0; i < w.count; i++) {
      if (w.ownerIdx[i] !== k) continue;
      const sx = (w.x[i]! - cx) * zoom + halfW;
      const sy = (w.y[i]! - cy) * zoom + halfH;
      if (sx < -pad || sy < -pad || sx > cam.width + pad || sy > cam.height + pad) continue;
      if (triangles) {
        const hx = w.hx[i]!;
        const hy = w.hy[i]!;
        ctx.moveTo(sx + hx * size, sy + hy * size);
        ctx.lineTo(sx - hx * size * 0.6 - hy * size * 0.55, sy - hy * size * 0.6 + hx * size * 0.55);
        ctx.lineTo(sx - hx * size * 0.6 + hy * size * 0.55, sy - hy * size * 0.6 - hx * size * 0.55);
        ctx.closePath();
      } else {
        ctx.rect(sx - size / 2, sy - size / 2, size, size);
      }
    }
    ctx.fill();
  }
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.85)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const r = size + 2;
  for (let i = 0; i < w.count; i++) {
    if (!selected[i]) continue;
    const sx = (w.x[i]! - cx) * zoom + halfW;
    const sy = (w.y[i]! - cy) * zoom + halfH;
    if (sx < -pad || sy < -pad || sx > cam.width + pad || sy > cam.height + pad) continue;
    ctx.rect(sx - r, sy - r, 2 * r, 2 * r);
  }
  ctx.stroke();
}
