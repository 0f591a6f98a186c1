/**
 * Mouse and keyboard: left-drag selects (a click picks the nearest own ship), right-click orders
 * the selection to the point, right- or middle-drag pans (left-drag too when zoomed out to
 * summaries), the wheel zooms around the pointer, WASD / arrows pan, O toggles the overlay, H
 * the HUD, F selects the whole fleet, G shows the whole galaxy, Space centres on the start, Escape clears the selection.
 */
import { GAMEPLAY_SCALE } from '../game/constants.js';
import type { GameView } from './view.js';

/** A press that moves less than this many pixels is a click. */
const CLICK_SLOP_PX = 5;

/** Wires input to `view`; returns a function that removes every listener. */
export function attachInput(view: GameView, canvas: HTMLCanvasElement): () => void {
  const cam = view.camera;
  let drag: { button: number; x: number; y: number; lastX: number; lastY: number; moved: boolean; mode: 'select' | 'pan' } | undefined;
  const keys = new Set<string>();

  const local = (e: MouseEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const me = (): string | undefined => view.session?.profile.playerId;

  const onDown = (e: PointerEvent): void => {
    const p = local(e);
    const zoomedOut = cam.gridScale() > GAMEPLAY_SCALE;
    const mode = e.button === 0 && !zoomedOut ? 'select' : 'pan';
    drag = { button: e.button, x: p.x, y: p.y, lastX: p.x, lastY: p.y, moved: false, mode };
    canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  };

  const onMove = (e: PointerEvent): void => {
    const p = local(e);
    if (view.overlay.enabled) view.overlay.hover(cam.wx(p.x), cam.wy(p.y));
    if (!drag) return;
    if (Math.hypot(p.x - drag.x, p.y - drag.y) > CLICK_SLOP_PX) drag.moved = true;
    if (drag.mode === 'pan') {
      if (drag.moved) cam.panBy(p.x - drag.lastX, p.y - drag.lastY);
    } else if (drag.moved) {
      view.box = { x0: drag.x, y0: drag.y, x1: p.x, y1: p.y };
    }
    drag.lastX = p.x;
    drag.lastY = p.y;
  };

  const onUp = (e: PointerEvent): void => {
    const d = drag;
    drag = undefined;
    view.box = undefined;
    if (!d) return;
    const p = local(e);
    const session = view.session;
    const owner = me();
    if (!session || owner === undefined) return;
    if (d.button === 2 && !d.moved) {
      const x = cam.wx(p.x);
      const y = cam.wy(p.y);
      if (view.selection.ids.size > 0) {
        view.lastOrder = { x, y, at: performance.now() };
        void session.order([...view.selection.ids], x, y);
      }
      return;
    }
    if (d.mode !== 'select') return;
    const w = session.positionsAt();
    if (d.moved) {
      view.selection.selectBox(w, owner, cam.wx(d.x), cam.wy(d.y), cam.wx(p.x), cam.wy(p.y), e.shiftKey);
    } else {
      view.selection.selectNearest(w, owner, cam.wx(p.x), cam.wy(p.y), 14 / cam.zoom, e.shiftKey);
    }
  };

  const onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    const p = local(e);
    cam.zoomAt(p.x, p.y, Math.exp(-e.deltaY * 0.0015));
  };

  const updatePan = (): void => {
    view.panKeys.x = (keys.has('d') || keys.has('arrowright') ? 1 : 0) - (keys.has('a') || keys.has('arrowleft') ? 1 : 0);
    view.panKeys.y = (keys.has('s') || keys.has('arrowdown') ? 1 : 0) - (keys.has('w') || keys.has('arrowup') ? 1 : 0);
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    const k = e.key.toLowerCase();
    if (['w', 'a', 's', 'd', 'arrowup', 'arrowdown', 'arrowleft', 'arrowright'].includes(k)) {
      keys.add(k);
      updatePan();
      e.preventDefault();
      return;
    }
    if (e.repeat) return;
    const session = view.session;
    switch (k) {
      case 'o':
        view.overlay.toggle();
        break;
      case 'h':
        view.hud.toggle();
        break;
      case 'escape':
        view.selection.clear();
        break;
      case 'f':
        if (session) view.selection.selectAll(session.positionsAt(), session.profile.playerId);
        break;
      case 'g':
        cam.fitGalaxy();
        break;
      case ' ':
        if (session?.welcome) cam.centreOn(session.welcome.x, session.welcome.y);
        e.preventDefault();
        break;
    }
  };

  const onKeyUp = (e: KeyboardEvent): void => {
    keys.delete(e.key.toLowerCase());
    updatePan();
  };
  const onBlur = (): void => {
    keys.clear();
    updatePan();
  };
  const onLeave = (): void => view.overlay.hover(undefined, undefined);
  const noMenu = (e: Event): void => e.preventDefault();

  canvas.addEventListener('pointerdown', onDown);
  canvas.addEventListener('pointermove', onMove);
  canvas.addEventListener('pointerup', onUp);
  canvas.addEventListener('pointerleave', onLeave);
  canvas.addEventListener('wheel', onWheel, { passive: false });
  canvas.addEventListener('contextmenu', noMenu);
  window.addEventListener('keydown', onKeyDown);
  window.addEventListener('keyup', onKeyUp);
  window.addEventListener('blur', onBlur);
  return () => {
    canvas.removeEventListener('pointerdown', onDown);
    canvas.removeEventListener('pointermove', onMove);
    canvas.removeEventListener('pointerup', onUp);
    canvas.removeEventListener('pointerleave', onLeave);
    canvas.removeEventListener('wheel', onWheel);
    canvas.removeEventListener('contextmenu', noMenu);
    window.removeEventListener('keydown', onKeyDown);
    window.removeEventListener('keyup', onKeyUp);
    window.removeEventListener('blur', onBlur);
  };
}
