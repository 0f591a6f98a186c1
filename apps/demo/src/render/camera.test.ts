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
});
