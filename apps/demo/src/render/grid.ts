/**
 * The sector grid of the current scale, clipped to the galaxy, plus the gameplay sectors' borders
 * (the shards) drawn stronger, and their keys when they are large enough to label.
 */
import { GAMEPLAY_SCALE, GAMEPLAY_SIDE, SECTOR_SIZE } from '../game/constants.js';
import { GALAXY_BOUNDS, SECTORS } from '../game/galaxy.js';
import type { Camera } from './camera.js';

function lines(ctx: CanvasRenderingContext2D, cam: Camera, side: number): void {
  const b = GALAXY_BOUNDS;
  const minX = Math.max(b.minX, cam.wx(0));
  const maxX = Math.min(b.maxX, cam.wx(cam.width));
  const minY = Math.max(b.minY, cam.wy(0));
  const maxY = Math.min(b.maxY, cam.wy(cam.height));
  if (minX > maxX || minY > maxY) return;
  const top = cam.sy(minY);
  const bottom = cam.sy(maxY);
  const left = cam.sx(minX);
  const right = cam.sx(maxX);
  for (let x = Math.ceil(minX / side) * side; x <= maxX; x += side) {
    const sx = Math.round(cam.sx(x)) + 0.5;
    ctx.moveTo(sx, top);
    ctx.lineTo(sx, bottom);
  }
  for (let y = Math.ceil(minY / side) * side; y <= maxY; y += side) {
    const sy = Math.round(cam.sy(y)) + 0.5;
    ctx.moveTo(left, sy);
    ctx.lineTo(right, sy);
  }
}

/** Draws the grid of sector scale `scale`. */
export function drawGrid(ctx: CanvasRenderingContext2D, cam: Camera, scale: number): void {
  ctx.lineWidth = 1;
  if (scale < GAMEPLAY_SCALE) {
    ctx.strokeStyle = 'rgba(90, 110, 160, 0.22)';
    ctx.beginPath();
    lines(ctx, cam, SECTOR_SIZE * 2 ** scale);
    ctx.stroke();
  }
  ctx.strokeStyle = 'rgba(110, 140, 210, 0.5)';
  ctx.beginPath();
  lines(ctx, cam, GAMEPLAY_SIDE);
  ctx.stroke();
  if (scale > GAMEPLAY_SCALE) {
    ctx.strokeStyle = 'rgba(170, 190, 255, 0.8)';
    ctx.lineWidth = 2;
    ctx.beginPath();
    lines(ctx, cam, SECTOR_SIZE * 2 ** scale);
    ctx.stroke();
  }
  const b = GALAXY_BOUNDS;
  ctx.strokeStyle = 'rgba(150, 170, 230, 0.9)';
  ctx.lineWidth = 1.5;
  ctx.strokeRect(cam.sx(b.minX), cam.sy(b.minY), (b.maxX - b.minX) * cam.zoom, (b.maxY - b.minY) * cam.zoom);
}

/** Labels each gameplay sector with its shard key when it is at least 140 px wide. */
export function drawSectorLabels(ctx: CanvasRenderingContext2D, cam: Camera): void {
  if (GAMEPLAY_SIDE * cam.zoom < 140) return;
  ctx.fillStyle = 'rgba(150, 170, 230, 0.55)';
  ctx.font = '11px ui-monospace, monospace';
  ctx.textBaseline = 'top';
  for (const s of SECTORS) {
    const x = cam.sx(s.bounds.minX);
    const y = cam.sy(s.bounds.minY);
    if (x > cam.width || y > cam.height || x + GAMEPLAY_SIDE * cam.zoom < 0 || y + GAMEPLAY_SIDE * cam.zoom < 0) continue;
    ctx.fillText(s.key, x + 5, y + 5);
  }
}
