/**
 * The game view: owns the canvas, camera, selection, overlay and HUD, and draws a frame on every
 * requestAnimationFrame. It only reads the session (the simulation runs on the session's timers,
 * so a hidden tab that gets no frames still simulates).
 */
import { GAMEPLAY_SCALE } from '../game/constants.js';
import type { GameSession } from '../net/session.js';
import { Camera, type Insets } from './camera.js';
import { drawGrid, drawSectorLabels } from './grid.js';
import { Hud } from './hud.js';
import { Overlay } from './overlay.js';
import { drawPlanets } from './planets.js';
import { Selection } from './selection.js';
import { SummaryCache, drawSummaries } from './summaries.js';
import { drawUnits } from './units.js';

/** The DOM parts the view draws into. */
export interface ViewElements {
  readonly canvas: HTMLCanvasElement;
  readonly hud: HTMLElement;
  readonly log: HTMLElement;
  readonly tooltip: HTMLElement;
  /** How far panels cover the canvas' edges, measured when the canvas changes size. Default: none. */
  readonly insets?: () => Insets;
}

/** A rubber band in screen pixels. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const NEUTRAL = '#9aa3b5';

export class GameView {
  readonly camera = new Camera();
  readonly selection = new Selection();
  readonly overlay: Overlay;
  readonly hud: Hud;
  session: GameSession | undefined;
  /** Frames per second over the last second. */
  fps = 0;
  /** Frames drawn so far (tests and devtools check that rendering runs). */
  frames = 0;
  /** Time spent drawing a frame, in ms, smoothed (1/16). */
  frameMs = 0;
  /** The selection rubber band while dragging. */
  box: Box | undefined;
  /** Where the last order went (a fading marker). */
  lastOrder: { x: number; y: number; at: number } | undefined;

  private readonly canvas: HTMLCanvasElement;
  private readonly insets: (() => Insets) | undefined;
  /** `width×height` the insets were last measured for. */
  private insetsFor = '';
  private readonly ctx: CanvasRenderingContext2D;
  private readonly summaries = new SummaryCache();
  private readonly colours: string[] = [];
  private readonly colourByPlayer = new Map<string, string>();
  private coloursFor = -1;
  private fpsFrames = 0;
  private fpsAt = 0;
  private lastFrameAt = 0;
  private raf = 0;
  private unsubscribe: (() => void) | undefined;
  /** Keyboard pan direction, set by the input handler. */
  readonly panKeys = { x: 0, y: 0 };

  constructor(elements: ViewElements) {
    this.canvas = elements.canvas;
    this.insets = elements.insets;
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('This browser has no 2D canvas.');
    this.ctx = ctx;
    this.overlay = new Overlay(elements.log, elements.tooltip);
    this.hud = new Hud(elements.hud, () => this.session, () => this.fps, () => this.frameMs);
  }

  /** Shows `session` (after a reconnect, the new one); centres on the player's start when known. */
  attach(session: GameSession): void {
    this.unsubscribe?.();
    this.session = session;
    this.coloursFor = -1;
    const offLog = session.events.on('log', (e) => this.overlay.push(e));
    const offReady = session.events.on('ready', (w) => this.camera.centreOn(w.x, w.y));
    this.unsubscribe = () => {
      offLog();
      offReady();
    };
    if (session.welcome) this.camera.centreOn(session.welcome.x, session.welcome.y);
  }

  start(): void {
    this.resize();
    this.camera.zoom = 0.35;
    const frame = (t: number): void => {
      this.raf = requestAnimationFrame(frame);
      const started = performance.now();
      this.frame(t);
      this.frameMs += (performance.now() - started - this.frameMs) / 16;
    };
    this.raf = requestAnimationFrame(frame);
  }

  stop(): void {
    cancelAnimationFrame(this.raf);
    this.unsubscribe?.();
  }

  /** A player's colour (neutral grey for unknown ids). */
  colourOf = (player: string): string => {
    this.refreshColours();
    return this.colourByPlayer.get(player) ?? NEUTRAL;
  };

  private refreshColours(): void {
    const s = this.session;
    if (!s || this.coloursFor === s.playersVersion) return;
    this.coloursFor = s.playersVersion;
    this.colourByPlayer.clear();
    s.players().players.forEach((p, id) => this.colourByPlayer.set(id, p.colour));
  }

  private resize(): void {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    this.camera.resize(w, h);
    const size = `${w}×${h}`;
    if (this.insets && size !== this.insetsFor) {
      this.insetsFor = size;
      this.camera.setInsets(this.insets());
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  private frame(t: number): void {
    const dt = this.lastFrameAt === 0 ? 0 : Math.min(0.1, (t - this.lastFrameAt) / 1000);
    this.lastFrameAt = t;
    this.frames++;
    this.fpsFrames++;
    if (t - this.fpsAt >= 1000) {
      this.fps = (this.fpsFrames * 1000) / (t - this.fpsAt);
      this.fpsFrames = 0;
      this.fpsAt = t;
    }
    if (this.panKeys.x !== 0 || this.panKeys.y !== 0) this.camera.panBy(-this.panKeys.x * 700 * dt, -this.panKeys.y * 700 * dt);
    this.resize();
    const ctx = this.ctx;
    const cam = this.camera;
    ctx.fillStyle = '#05070d';
    ctx.fillRect(0, 0, cam.width, cam.height);
    const scale = cam.gridScale();
    const session = this.session;
    if (session && this.overlay.enabled) this.overlay.draw(ctx, cam, session, t);
    drawGrid(ctx, cam, scale);
    drawSectorLabels(ctx, cam);
    if (!session) return;
    session.setView(cam.view());
    const world = session.positionsAt();
    drawPlanets(ctx, cam, (i) => session.sector(i), this.colourOf);
    if (scale > GAMEPLAY_SCALE) {
      drawSummaries(ctx, cam, this.summaries.get(world, session.version, scale), scale, this.colourOf);
    } else {
      this.colours.length = world.ownerKeys.length;
      for (let k = 0; k < world.ownerKeys.length; k++) this.colours[k] = this.colourOf(world.ownerKeys[k]!);
      drawUnits(ctx, cam, world, this.colours, this.selection.flagsFor(world, session.version));
    }
    if (this.lastOrder && t - this.lastOrder.at < 700) {
      // Clamped: a frame's rAF time can precede a click handled in that frame (by over 200 ms
      // on a loaded machine), and `arc` throws on the negative radius that would give.
      const k = Math.min(1, Math.max(0, (t - this.lastOrder.at) / 700));
      ctx.strokeStyle = `rgba(255, 255, 255, ${1 - k})`;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(cam.sx(this.lastOrder.x), cam.sy(this.lastOrder.y), 6 + 18 * k, 0, Math.PI * 2);
      ctx.stroke();
    }
    if (this.box) {
      const b = this.box;
      ctx.strokeStyle = 'rgba(160, 200, 255, 0.9)';
      ctx.fillStyle = 'rgba(160, 200, 255, 0.12)';
      ctx.lineWidth = 1;
      ctx.fillRect(Math.min(b.x0, b.x1), Math.min(b.y0, b.y1), Math.abs(b.x1 - b.x0), Math.abs(b.y1 - b.y0));
      ctx.strokeRect(Math.min(b.x0, b.x1), Math.min(b.y0, b.y1), Math.abs(b.x1 - b.x0), Math.abs(b.y1 - b.y0));
    }
  }
}
