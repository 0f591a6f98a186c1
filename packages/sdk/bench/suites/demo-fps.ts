/**
 * Demo frame-rate suite: the demo RTS (apps/demo, production build) in headless Chromium with
 * 2,000 ships on screen. One page plays with `?bots=4&fleet=400`: the player and four in-page
 * bots, each a full peer with its own WebRTC connections, start with 400 ships each. Once every
 * fleet exists the view shows the whole galaxy (key G) and, after a settling pause, frames are
 * counted for {@link MEASURE_MS} with the demo's own counter (`window.anarchy.frames()`), beside
 * a requestAnimationFrame probe that records every frame interval and samples the demo's smoothed
 * draw time (`frameMs()`) once per frame.
 *
 * Everything runs on this machine: the signal service in this process (from its sources), the
 * built demo behind Vite's preview server, Debian's Chromium through playwright-core (resolved
 * from e2e/, which depends on it; the SDK does not). An empty page in the same browser is measured
 * first, so the table shows whether headless Chromium caps requestAnimationFrame at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, round } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '..', '..', '..', '..');
const DEMO_DIR = join(REPO, 'apps', 'demo');

/** Ships on screen: the player and four bots, 400 each (the demo's largest starting fleet). */
const BOTS = 4;
const FLEET = 400;
const TARGET_UNITS = (BOTS + 1) * FLEET;
/** The frame rate the demo aims for. */
const TARGET_FPS = 60;
const VIEWPORT = { width: 1280, height: 720 } as const;
/** How long frames are counted, in ms. */
const MEASURE_MS = 5_000;
/** Pause between every fleet existing and the measurement (bots send their first orders). */
const SETTLE_MS = 3_000;
/** Longest wait for the player and all bots to join and spawn, in ms. */
const JOIN_BUDGET_MS = 45_000;
/** How long the empty-page probe counts frames, in ms. */
const PROBE_MS = 1_500;

/** Flags for Debian's Chromium in a container without a GPU, sandbox or outside network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

// --- the slices of Vite, playwright-core and @anarchy/signal this suite uses (checked at runtime) ---

interface ViteModule {
  build(config: Record<string, unknown>): Promise<unknown>;
  preview(config: Record<string, unknown>): Promise<{ httpServer: { address(): unknown }; close(): Promise<void> }>;
}

interface PwPage {
  goto(url: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  waitForFunction(expression: string, arg: undefined, options: { timeout: number; polling?: number }): Promise<unknown>;
  keyboard: { press(key: string): Promise<void> };
  on(event: 'pageerror', listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

interface PwBrowser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<PwPage>;
  version(): string;
  close(): Promise<void>;
}

interface PwChromium {
  launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<PwBrowser>;
}

interface SignalModule {
  createSignalServer(options: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }>;
  silentLogger: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

async function loadVite(): Promise<ViteModule> {
  // The demo's own Vite, the one its vite.config.ts is written for.
  const entry = createRequire(join(DEMO_DIR, 'package.json')).resolve('vite/package.json');
  const mod: unknown = await import(pathToFileURL(join(dirname(entry), 'dist', 'node', 'index.js')).href);
  if (!isObject(mod) || typeof mod['build'] !== 'function' || typeof mod['preview'] !== 'function') throw new Error(`Vite at ${entry} has no build/preview`);
  return mod as unknown as ViteModule;
}

function loadChromium(): PwChromium {
  // e2e/ depends on @playwright/test → playwright → playwright-core; follow that chain.
  let require = createRequire(join(REPO, 'e2e', 'package.json'));
  for (const step of ['@playwright/test', 'playwright']) require = createRequire(require.resolve(step));
  const mod: unknown = require('playwright-core');
  if (!isObject(mod) || !isObject(mod['chromium']) || typeof mod['chromium']['launch'] !== 'function') throw new Error('playwright-core has no chromium.launch');
  return mod['chromium'] as unknown as PwChromium;
}

async function loadSignal(): Promise<SignalModule> {
  // Its sources through tsx, like e2e runs it: a bench always measures the working tree.
  const mod: unknown = await import(pathToFileURL(join(REPO, 'packages', 'signal', 'src', 'index.ts')).href);
  if (!isObject(mod) || typeof mod['createSignalServer'] !== 'function' || !isObject(mod['silentLogger'])) throw new Error('@anarchy/signal does not export createSignalServer and silentLogger');
  return mod as unknown as SignalModule;
}

/** Frame figures measured in the page. */
interface FrameSample {
  /** Frames the demo drew (its own counter) over the window. */
  readonly demoFrames: number;
  readonly elapsedMs: number;
  /** Every requestAnimationFrame interval in the window, in ms. */
  readonly intervals: number[];
  /** The demo's smoothed draw time, sampled once per frame, in ms. */
  readonly drawMs: number[];
  readonly unitsBefore: number;
  readonly unitsAfter: number;
}

/**
 * The in-page probe, as JavaScript source: functions handed to `page.evaluate` are sent by their
 * text, and tsx's compiled text may call helpers (`__name`) that do not exist in the page.
 * Resolves with a {@link FrameSample} after counting frames for `ms`.
 */
function measureScript(ms: number): string {
  return `new Promise((resolve) => {
    const api = window.anarchy;
    const startFrames = api ? api.frames() : 0;
    const unitsBefore = api ? api.units().length : 0;
    const intervals = [];
    const drawMs = [];
    let first = -1;
    let last = -1;
    const tick = (t) => {
      if (first < 0) first = t;
      else intervals.push(t - last);
      last = t;
      if (api) drawMs.push(api.frameMs());
      if (t - first < ${ms}) return void requestAnimationFrame(tick);
      resolve({ demoFrames: (api ? api.frames() : 0) - startFrames, elapsedMs: t - first, intervals, drawMs, unitsBefore, unitsAfter: api ? api.units().length : 0 });
    };
    requestAnimationFrame(tick);
  })`;
}

async function measure(page: PwPage, ms: number): Promise<FrameSample> {
  const v = await page.evaluate(measureScript(ms));
  const nums = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => typeof n === 'number');
  if (!isObject(v) || !nums(v['intervals']) || !nums(v['drawMs']) || typeof v['elapsedMs'] !== 'number' || !(v['elapsedMs'] > 0)) throw new Error(`the frame probe returned ${JSON.stringify(v)}`);
  return v as unknown as FrameSample;
}

/** A browser configuration measured. */
interface Variant {
  readonly label: string;
  readonly args: readonly string[];
  /** Also measure an empty page first (the browser's own frame rate). */
  readonly probe: boolean;
}

const VARIANTS: readonly Variant[] = [
  { label: 'default flags', args: [], probe: true },
  // Without the 60 Hz begin-frame limit: how fast the demo could draw, i.e. its headroom.
  { label: 'uncapped (--disable-frame-rate-limit --disable-gpu-vsync)', args: ['--disable-frame-rate-limit', '--disable-gpu-vsync'], probe: false },
];

/** What one variant measured. */
interface VariantResult {
  readonly version: string;
  readonly idle: FrameSample | undefined;
  readonly demo: FrameSample;
  readonly joinMs: number;
  readonly pageErrors: readonly string[];
}

/** Launches Chromium with `variant`'s flags, opens the demo in a new room and measures it; always closes the browser. */
async function runVariant(ctx: BenchContext, variant: Variant, signalUrl: string, demoUrl: string): Promise<VariantResult> {
  const browser = await loadChromium().launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...variant.args] });
  try {
    let idle: FrameSample | undefined;
    if (variant.probe) {
      const blank = await browser.newPage({ viewport: VIEWPORT });
      await blank.goto('about:blank');
      idle = await measure(blank, PROBE_MS);
      await blank.close();
    }
    const res = await fetch(`${signalUrl}/rooms`, { method: 'POST' });
    const body: unknown = await res.json();
    if (!isObject(body) || typeof body['roomId'] !== 'string') throw new Error(`POST ${signalUrl}/rooms answered ${res.status}`);
    const page = await browser.newPage({ viewport: VIEWPORT });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const query = new URLSearchParams({ room: body['roomId'], signal: signalUrl, bots: String(BOTS), fleet: String(FLEET) });
    const joinStarted = ctx.now();
    await page.goto(`${demoUrl}/?${query.toString()}`);
    await page.waitForFunction(`(window.anarchy?.units().length ?? 0) >= ${TARGET_UNITS}`, undefined, { timeout: JOIN_BUDGET_MS, polling: 250 });
    const joinMs = ctx.now() - joinStarted;
    ctx.log(`  ${variant.label}: ${TARGET_UNITS} ships exist ${Math.round(joinMs)} ms after opening the page`);
    await page.keyboard.press('g'); // the whole galaxy: every ship on screen, drawn as a ship
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const demo = await measure(page, MEASURE_MS);
    return { version: browser.version(), idle, demo, joinMs, pageErrors };
  } finally {
    await browser.close();
  }
}

const fpsOf = (s: FrameSample, frames: number): number => (frames * 1000) / s.elapsedMs;
const p = (values: readonly number[], q: number): number => round(percentile(values, q), 2);

const suite: BenchSuite = {
  name: 'demo-fps',
  description: `demo RTS frame rate in headless Chromium, ${TARGET_UNITS.toLocaleString('en')} ships on screen`,
  async run(ctx: BenchContext) {
    const cleanups: Array<() => Promise<void>> = [];
    const outDir = mkdtempSync(join(tmpdir(), 'anarchy-demo-fps-'));
    cleanups.push(async () => rmSync(outDir, { recursive: true, force: true }));
    try {
      const signalModule = await loadSignal();
      const signal = await signalModule.createSignalServer({
        port: 0,
        host: '127.0.0.1',
        logger: signalModule.silentLogger,
        rateLimit: { windowMs: 10_000, max: 1_000_000 },
      });
      cleanups.push(() => signal.close());

      const vite = await loadVite();
      const viteConfig = { root: DEMO_DIR, configFile: join(DEMO_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } };
      const builtAt = ctx.now();
      await vite.build(viteConfig);
      ctx.log(`  demo built in ${Math.round(ctx.now() - builtAt)} ms`);
      const server = await vite.preview({ ...viteConfig, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
      cleanups.push(() => server.close());
      const address = server.httpServer.address();
      if (!isObject(address) || typeof address['port'] !== 'number') throw new Error('the preview server did not report a port');
      const demoUrl = `http://127.0.0.1:${address['port']}`;

      const results: VariantResult[] = [];
      for (const variant of VARIANTS) results.push(await runVariant(ctx, variant, signal.url, demoUrl));
      const [capped, uncapped] = results as [VariantResult, VariantResult];

      const rows: BenchRow[] = [];
      if (capped.idle) {
        const i = capped.idle;
        rows.push({ browser: VARIANTS[0]!.label, page: 'about:blank', ships: 0, fps: round(fpsOf(i, i.intervals.length), 1), 'interval p50 ms': p(i.intervals, 50), 'interval p99 ms': p(i.intervals, 99), 'draw p50 ms': '–', 'draw p99 ms': '–' });
      }
      const failures: string[] = [];
      results.forEach((r, k) => {
        const m = r.demo;
        rows.push({
          browser: VARIANTS[k]!.label,
          page: `demo ?bots=${BOTS}&fleet=${FLEET}, galaxy view`,
          ships: `${m.unitsBefore} → ${m.unitsAfter}`,
          fps: round(fpsOf(m, m.demoFrames), 1),
          'interval p50 ms': p(m.intervals, 50),
          'interval p99 ms': p(m.intervals, 99),
          'draw p50 ms': p(m.drawMs, 50),
          'draw p99 ms': p(m.drawMs, 99),
        });
        if (m.unitsBefore < TARGET_UNITS * 0.9) failures.push(`${VARIANTS[k]!.label}: only ${m.unitsBefore} ships when the measurement started (expected about ${TARGET_UNITS})`);
        if (r.pageErrors.length > 0) failures.push(`${VARIANTS[k]!.label}: the demo page threw: ${r.pageErrors.slice(0, 3).join(' | ')}`);
      });
      const idleFps = capped.idle ? fpsOf(capped.idle, capped.idle.intervals.length) : Number.NaN;
      return {
        metrics: {
          demo_fps_2000_units: round(fpsOf(capped.demo, capped.demo.demoFrames), 1),
          demo_frame_ms_p99_2000_units: p(capped.demo.drawMs, 99),
          demo_frame_ms_p50_2000_units: p(capped.demo.drawMs, 50),
          demo_frame_interval_ms_p99_2000_units: p(capped.demo.intervals, 99),
          demo_fps_uncapped_2000_units: round(fpsOf(uncapped.demo, uncapped.demo.demoFrames), 1),
          demo_frame_interval_ms_p50_uncapped_2000_units: p(uncapped.demo.intervals, 50),
          demo_raf_fps_empty_page: round(idleFps, 1),
        },
        rows,
        notes: [
          `Chromium ${capped.version} headless (${CHROMIUM_ARGS.join(' ')}), ${VIEWPORT.width}×${VIEWPORT.height}, software rendering (no GPU); target ${TARGET_FPS} fps.`,
          `Each demo page runs the player and ${BOTS} in-page bots (5 peers, 20 WebRTC connections, every czar loop) besides drawing; all ${TARGET_UNITS} ships existed ${(capped.joinMs / 1000).toFixed(1)} s / ${(uncapped.joinMs / 1000).toFixed(1)} s after opening it.`,
          `fps = frames the demo drew (window.anarchy.frames()) over ${MEASURE_MS / 1000} s after a ${SETTLE_MS / 1000} s settle; interval = time between requestAnimationFrame callbacks; draw = the demo's frameMs() (the JavaScript drawing one frame, smoothed over 16 frames; rasterising happens off the main thread), sampled every frame.`,
          `With default flags headless Chromium runs requestAnimationFrame at ${round(idleFps, 1)} Hz even on an empty page: ${TARGET_FPS} fps is the cap, so the uncapped row shows the headroom.`,
        ],
        failures,
      };
    } finally {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (err) {
          ctx.log(`  cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  },
};

export default suite;
