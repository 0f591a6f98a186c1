/**
 * The view onto the galaxy: a centre in world units and a zoom in CSS pixels per world unit.
 * Pure arithmetic, no DOM, so it is tested directly.
 */
import { spatial } from '@anarchy/sdk';
import { SECTOR_SIZE } from '../game/constants.js';
import { GALAXY_BOUNDS } from '../game/galaxy.js';
import type { Rect } from '../game/model.js';

/** Most sectors of the drawn grid across the view (then the next coarser scale is drawn). */
export const GRID_SECTORS_ACROSS = 12;

export class Camera {
  /** World point at the centre of the view. */
  cx = 0;
  cy = 0;
  /** CSS pixels per world unit. */
  zoom = 0.12;
  /** View size in CSS pixels. */
  width = 800;
  height = 600;
  readonly minZoom = 0.01;
  readonly maxZoom = 4;

  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.clamp();
  }

  sx(x: number): number {
    return (x - this.cx) * this.zoom + this.width / 2;
  }

  sy(y: number): number {
    return (y - this.cy) * this.zoom + this.height / 2;
  }

  wx(sx: number): number {
    return (sx - this.width / 2) / this.zoom + this.cx;
  }

  wy(sy: number): number {
    return (sy - this.height / 2) / this.zoom + this.cy;
  }

  /** Zooms by `factor` keeping the world point under screen point (sx, sy) in place. */
  zoomAt(sx: number, sy: number, factor: number): void {
    const wx = this.wx(sx);
    const wy = this.wy(sy);
    this.zoom = Math.min(this.maxZoom, Math.max(this.minZoom, this.zoom * factor));
    this.cx = wx - (sx - this.width / 2) / this.zoom;
    this.cy = wy - (sy - this.height / 2) / this.zoom;
    this.clamp();
  }

  /** Moves the view by a screen-pixel drag (content follows the pointer). */
  panBy(dxPx: number, dyPx: number): void {
    this.cx -= dxPx / this.zoom;
    this.cy -= dyPx / this.zoom;
    this.clamp();
  }

  /** Centres on a world point. */
  centreOn(x: number, y: number): void {
    this.cx = x;
    this.cy = y;
    this.clamp();
  }

  /** Shows the whole galaxy. */
  fitGalaxy(): void {
    const b = GALAXY_BOUNDS;
    this.cx = (b.minX + b.maxX) / 2;
    this.cy = (b.minY + b.maxY) / 2;
    this.zoom = Math.min(this.width / (b.maxX - b.minX), this.height / (b.maxY - b.minY)) * 0.92;
  }

  /** The world rectangle on screen. */
  view(): Rect {
    return { minX: this.wx(0), minY: this.wy(0), maxX: this.wx(this.width), maxY: this.wy(this.height) };
  }

  /** The sector scale whose grid is drawn: the finest with at most {@link GRID_SECTORS_ACROSS} sectors across the view. */
  gridScale(): number {
    const span = Math.max(this.width, this.height) / this.zoom;
    return spatial.summaryScaleFor(span, SECTOR_SIZE, { maxSectorsAcross: GRID_SECTORS_ACROSS });
  }

  /**
   * Keeps the galaxy on screen: a view smaller than the galaxy may overhang its edge by at most
   * `EDGE_SLACK` world units; a larger view stays centred on it.
   */
  private clamp(): void {
    const b = GALAXY_BOUNDS;
    const halfW = this.width / 2 / this.zoom;
    const halfH = this.height / 2 / this.zoom;
    this.cx = clampAxis(this.cx, b.minX, b.maxX, halfW);
    this.cy = clampAxis(this.cy, b.minY, b.maxY, halfH);
  }
}

/** How far past the galaxy's edge a view may reach, in world units. */
const EDGE_SLACK = 150;

function clampAxis(c: number, min: number, max: number, half: number): number {
  const lo = min + half - EDGE_SLACK;
  const hi = max - half + EDGE_SLACK;
  return lo > hi ? (min + max) / 2 : Math.min(hi, Math.max(lo, c));
}
