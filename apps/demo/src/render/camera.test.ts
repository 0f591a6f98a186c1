import { describe, expect, it } from 'vitest';
import { GAMEPLAY_SCALE } from '../game/constants.js';
import { Camera } from './camera.js';

describe('Camera', () => {
  it('maps world to screen and back', () => {
    const c = new Camera();
    c.resize(1000, 500);
    c.zoom = 0.5;
    c.cx = 100;
    c.cy = -50;
    c.zoom = 0.5;
    expect(c.sx(100)).toBe(500);
    expect(c.sy(-50)).toBe(250);
    expect(c.wx(c.sx(321))).toBeCloseTo(321, 9);
    expect(c.wy(c.sy(-77))).toBeCloseTo(-77, 9);
  });

  it('zooms around the pointer', () => {
    const c = new Camera();
    c.resize(800, 600);
    const before = { x: c.wx(123), y: c.wy(45) };
    c.zoomAt(123, 45, 2);
    expect(c.wx(123)).toBeCloseTo(before.x, 6);
    expect(c.wy(45)).toBeCloseTo(before.y, 6);
    c.zoomAt(0, 0, 1e9);
    expect(c.zoom).toBe(c.maxZoom);
  });

  it('coarsens the grid scale as it zooms out', () => {
    const c = new Camera();
    c.resize(1000, 1000);
    c.zoom = 2; // 500 units across: scale-0 sectors (125) fit 4 times
    expect(c.gridScale()).toBe(0);
    c.fitGalaxy();
    expect(c.gridScale()).toBe(GAMEPLAY_SCALE);
    c.zoom = 0.02; // 50,000 units across
    expect(c.gridScale()).toBeGreaterThan(GAMEPLAY_SCALE);
  });

  it('pans with the pointer and stays on the galaxy', () => {
    const c = new Camera();
    c.zoom = 1;
    c.panBy(10, -20);
    expect(c.cx).toBe(-10);
    expect(c.cy).toBe(20);
    c.panBy(1e9, 1e9);
    // The view (800 units wide at zoom 1) may overhang the galaxy's left edge by 150 units only.
    expect(c.cx).toBe(-3000 + 400 - 150);
    expect(c.wx(0)).toBe(-3150);
    c.zoom = 0.05; // wider than the galaxy: centred
    c.panBy(100, 100);
    expect(c.cx).toBe(0);
  });

  it('fits and centres the galaxy in the area the panels leave free', () => {
    const c = new Camera();
    c.resize(1200, 750);
    const insets = { left: 260, right: 260, top: 40, bottom: 28 };
    c.setInsets(insets);
    c.fitGalaxy();
    // Every corner of the galaxy lands inside the free area, none under a panel.
    for (const [x, y] of [[-3000, -3000], [3000, -3000], [-3000, 3000], [3000, 3000]] as const) {
      expect(c.sx(x)).toBeGreaterThanOrEqual(insets.left);
      expect(c.sx(x)).toBeLessThanOrEqual(1200 - insets.right);
      expect(c.sy(y)).toBeGreaterThanOrEqual(insets.top);
      expect(c.sy(y)).toBeLessThanOrEqual(750 - insets.bottom);
    }
    // The galaxy's centre is the free area's centre.
    expect(c.sx(0)).toBeCloseTo((260 + 1200 - 260) / 2, 6);
    expect(c.sy(0)).toBeCloseTo((40 + 750 - 28) / 2, 6);
    // A point to centre on goes to the free area's centre too, and pans stop at the galaxy's edge
    // of the free area (not of the canvas).
    c.zoom = 0.35;
    c.centreOn(-2500, -2500);
    expect(c.freeCentreX()).toBeGreaterThan(-2500);
    expect(c.sx(-3000)).toBeCloseTo(insets.left + 150 * 0.35, 6);
    expect(c.sy(-3000)).toBeCloseTo(insets.top + 150 * 0.35, 6);
    c.centreOn(0, 0);
    expect(c.sx(0)).toBeCloseTo(600, 6);
  });

  it('ignores insets that would leave almost nothing free', () => {
    const c = new Camera();
    c.resize(400, 600);
    c.setInsets({ left: 200, right: 200, top: 40, bottom: 28 });
    expect(c.insets).toEqual({ left: 0, right: 0, top: 40, bottom: 28 });
    expect(c.freeSize()).toEqual({ width: 400, height: 532 });
  });
});
