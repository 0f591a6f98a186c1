/**
 * The view onto the galaxy: a centre in world units and a zoom in CSS pixels per world unit.
 * Panels (top bar, player list, HUD, log) cover the canvas' edges; the camera knows how far
 * ({@link Insets}) and fits, centres and keeps the galaxy inside the free part of the view.
 * Pure arithmetic, no DOM, so it is tested directly.
 */
import { spatial } from '@anarchy/sdk';
import { SECTOR_SIZE } from '../game/constants.js';
import { GALAXY_BOUNDS } from '../game/galaxy.js';
import type { Rect } from '../game/model.js';

/** Most sectors of the drawn grid across the view (then the next coarser scale is drawn). */
export const GRID_SECTORS_ACROSS = 12;

/** How far panels cover each edge of the view, in CSS pixels. */
export interface Insets {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const NO_INSETS: Insets = { left: 0, right: 0, top: 0, bottom: 0 };

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
  /** The covered edges; the rest of the view is the free area. */
  insets: Insets = NO_INSETS;

  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.clamp();
  }

  /**
   * Sets the covered edges, keeping the world point at the centre of the free area where it was.
   * Insets that would leave less than a quarter of an axis free are ignored on that axis.
   */
  setInsets(insets: Insets): void {
    const fx = this.freeCentreX();
    const fy = this.freeCentreY();
    const usable = (a: number, b: number, size: number): boolean => a >= 0 && b >= 0 && size - a - b >= size / 4;
    const x = usable(insets.left, insets.right, this.width);
    const y = usable(insets.top, insets.bottom, this.height);
    this.insets = { left: x ? insets.left : 0, right: x ? insets.right : 0, top: y ? insets.top : 0, bottom: y ? insets.bottom : 0 };
    this.centreOn(fx, fy);
  }

  /** Width and height of the free area in CSS pixels. */
  freeSize(): { width: number; height: number } {
    const i = this.insets;
    return { width: this.width - i.left - i.right, height: this.height - i.top - i.bottom };
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

  /** Puts a world point at the centre of the free area. */
  centreOn(x: number, y: number): void {
    this.cx = x - this.freeOffsetX();
    this.cy = y - this.freeOffsetY();
    this.clamp();
  }

  /** Shows the whole galaxy in the free area. */
  fitGalaxy(): void {
    const b = GALAXY_BOUNDS;
    const free = this.freeSize();
    this.zoom = Math.min(free.width / (b.maxX - b.minX), free.height / (b.maxY - b.minY)) * 0.94;
    this.centreOn((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2);
  }

  /** World x at the centre of the free area. */
  freeCentreX(): number {
    return this.cx + this.freeOffsetX();
  }

  /** World y at the centre of the free area. */
  freeCentreY(): number {
    return this.cy + this.freeOffsetY();
  }

  /** World distance from the view's centre to the free area's centre. */
  private freeOffsetX(): number {
    return (this.insets.left - this.insets.right) / 2 / this.zoom;
  }

  private freeOffsetY(): number {
    return (this.insets.top - this.insets.bottom) / 2 / this.zoom;
  }

  /** The world rectangle on screen. */
  view(): Rect {
    return { minX: this.wx(0), minY: this.wy(0), maxX: this.wx(this.width), maxY: this.wy(this.height) };
  }

  /**
   * The sector scale whose grid is drawn: the finest with at most {@link GRID_SECTORS_ACROSS}
   * sectors across the free area (what is seen between the panels), so the whole galaxy shown
   * with G still shows ships, whatever the window's shape.
   */
  gridScale(): number {
    const free = this.freeSize();
    const span = Math.max(free.width, free.height) / this.zoom;
    return spatial.summaryScaleFor(span, SECTOR_SIZE, { maxSectorsAcross: GRID_SECTORS_ACROSS });
  }

  /**
   * Keeps the galaxy in the free area: a free area smaller than the galaxy may overhang its edge
   * by at most `EDGE_SLACK` world units; a larger one stays centred on it.
   */
  private clamp(): void {
    const b = GALAXY_BOUNDS;
    const free = this.freeSize();
    const ox = this.freeOffsetX();
    const oy = this.freeOffsetY();
    this.cx = clampAxis(this.cx + ox, b.minX, b.maxX, free.width / 2 / this.zoom) - ox;
    this.cy = clampAxis(this.cy + oy, b.minY, b.maxY, free.height / 2 / this.zoom) - oy;
  }
}

/** How far past the galaxy's edge a view may reach, in world units. */
const EDGE_SLACK = 150;

function clampAxis(c: number, min: number, max: number, half: number): number {
  const lo = min + half - EDGE_SLACK;
  const hi = max - half + EDGE_SLACK;
  return lo > hi ? (min + max) / 2 : Math.min(hi, Math.max(lo, c));
}
