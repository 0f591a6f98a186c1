/**
 * Helpers for the demo RTS spec (demo.spec.ts): the shape of the demo's `window.anarchy`, reading
 * it from several pages, and the camera arithmetic that turns world points into mouse positions.
 */
import { expect, type Page, type TestInfo } from '@playwright/test';

import type { AnarchyDevtools, CameraInfo, LogEntry, PlayerInfo, UnitInfo } from '../../apps/demo/src/net/devtools-api.js';

/** The demo's `window.anarchy` contract (apps/demo/src/net/devtools-api.ts), under the names the spec uses. */
export type DemoApi = AnarchyDevtools;
export type DemoUnit = UnitInfo;
export type DemoPlayer = PlayerInfo;
export type DemoLogEntry = LogEntry;
export type DemoCamera = CameraInfo;

declare global {
  interface Window {
    /** Set by the demo (apps/demo/src/main.ts) once a room page starts. */
    anarchy?: DemoApi;
  }
}

/** A world point. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Side of a gameplay sector (apps/demo/src/game/constants.ts GAMEPLAY_SIDE), in world units. */
export const SECTOR_SIDE = 1000;
/** The galaxy spans -3..2 gameplay sectors on each axis (GALAXY_HALF = 3). */
export const GALAXY_MIN = -3 * SECTOR_SIDE;
export const GALAXY_MAX = 3 * SECTOR_SIDE;

/**
 * Where a player starts: the centre of its home sector (game/galaxy.ts `homeFor` for the first 16
 * players, whose start has no offset). `home` is a sector key `s3:x,y`.
 */
export function homePoint(home: string): Point {
  const m = /^s3:(-?\d+),(-?\d+)$/.exec(home);
  if (!m) throw new Error(`home ${home} is not a gameplay sector key (s3:x,y)`);
  return { x: Number(m[1]) * SECTOR_SIDE + SECTOR_SIDE / 2, y: Number(m[2]) * SECTOR_SIDE + SECTOR_SIDE / 2 };
}

/**
 * The page's camera as `window.anarchy.camera()` reports it, to aim the mouse at world points. A
 * wrong report shows up as ships that do not arrive where the click pointed.
 */
export class ScreenMap {
  constructor(readonly cam: DemoCamera) {}

  /** Screen point (CSS px from the canvas' top left) of a world point. */
  toScreen(p: Point): Point {
    const c = this.cam;
    return { x: (p.x - c.cx) * c.zoom + c.width / 2, y: (p.y - c.cy) * c.zoom + c.height / 2 };
  }

  /** World point under a screen point. */
  toWorld(s: Point): Point {
    const c = this.cam;
    return { x: (s.x - c.width / 2) / c.zoom + c.cx, y: (s.y - c.height / 2) / c.zoom + c.cy };
  }

  /** True when screen point `s` is in the part of the canvas no panel covers. */
  isFree(s: Point): boolean {
    const { width, height, insets } = this.cam;
    return s.x >= insets.left && s.x <= width - insets.right && s.y >= insets.top && s.y <= height - insets.bottom;
  }
}

/** Reads the page's camera now. */
export async function screenMap(page: Page): Promise<ScreenMap> {
  return new ScreenMap(await page.evaluate(() => window.anarchy!.camera()));
}

/** Everything the spec compares across pages, read in one evaluate. */
export interface DemoSnapshot {
  readonly peer: string | undefined;
  readonly status: string;
  readonly peers: string[];
  readonly players: DemoPlayer[];
  readonly hashes: Record<string, string>;
  readonly czars: Record<string, string | undefined>;
  /** `id x y` per ship, sorted by id. */
  readonly units: string[];
  /** The newest machinery log lines (for failure messages). */
  readonly log: string[];
}

/** Reads a {@link DemoSnapshot} from a demo page. */
export function snapshot(page: Page): Promise<DemoSnapshot> {
  return page.evaluate(() => {
    const a = window.anarchy;
    if (!a) throw new Error('window.anarchy is not set: the page is not a demo room page');
    const czars: Record<string, string | undefined> = {};
    for (const s of a.shards()) czars[s] = a.czarOf(s);
    return {
      peer: a.localId,
      status: a.status(),
      peers: a.peers().sort(),
      players: a.players().sort((p, q) => (p.id < q.id ? -1 : 1)),
      hashes: a.stateHashes(),
      czars,
      units: a
        .units()
        .sort((u, v) => (u.id < v.id ? -1 : 1))
        .map((u) => `${u.id} ${u.x} ${u.y}`),
      log: a
        .log()
        .slice(0, 12)
        .map((e) => `${e.kind} ${e.text}`),
    };
  });
}

/** Unit positions of `ids` on `page`, by id (missing ids are absent). */
export function positionsOf(page: Page, ids: readonly string[]): Promise<Record<string, Point>> {
  return page.evaluate((want) => {
    const set = new Set(want);
    const out: Record<string, { x: number; y: number }> = {};
    for (const u of window.anarchy!.units()) if (set.has(u.id)) out[u.id] = { x: u.x, y: u.y };
    return out;
  }, ids);
}

/** Largest distance of any of `ids` from `target` on `page` (Infinity if one is missing). */
export async function farthestFrom(page: Page, ids: readonly string[], target: Point): Promise<number> {
  const at = await positionsOf(page, ids);
  let worst = 0;
  for (const id of ids) {
    const p = at[id];
    worst = Math.max(worst, p ? Math.hypot(p.x - target.x, p.y - target.y) : Number.POSITIVE_INFINITY);
  }
  return worst;
}

/**
 * Formation radius of a group of ships ordered to one point: `planMove` puts n ships on a
 * ceil(√n)-wide square grid 22 units apart around it, so the farthest slot is this far off.
 */
export function formationRadius(n: number): number {
  const half = (Math.ceil(Math.sqrt(n)) - 1) / 2;
  return Math.hypot(half, half) * 22 + 2;
}

/** Waits until none of `ids` moves between two reads 400 ms apart (ships come to rest). */
export async function waitStill(page: Page, ids: readonly string[], what: string, timeout = 30_000): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = JSON.stringify(await positionsOf(page, ids));
        const still = now === last;
        last = now;
        return still;
      },
      { message: what, timeout, intervals: [400] },
    )
    .toBe(true);
}

/** `pages` agree on every shard's state hash and on every ship's position; returns the common snapshot. */
export async function expectConverged(pages: readonly Page[], what: string, timeout = 30_000): Promise<DemoSnapshot> {
  let shots: DemoSnapshot[] = [];
  await expect
    .poll(
      async () => {
        shots = await Promise.all(pages.map(snapshot));
        const first = shots[0]!;
        const diff: string[] = [];
        shots.forEach((s, i) => {
          for (const [shard, hash] of Object.entries(first.hashes)) {
            if (s.hashes[shard] !== hash) diff.push(`page ${i} ${shard} ${s.hashes[shard]} ≠ ${hash}`);
          }
          if (JSON.stringify(s.units) !== JSON.stringify(first.units)) diff.push(`page ${i} units differ (${s.units.length} vs ${first.units.length})`);
        });
        return diff;
      },
      { message: `${what}: state hashes and unit positions equal on every page`, timeout, intervals: [250, 500] },
    )
    .toEqual([]);
  return shots[0]!;
}

/**
 * For failure messages: where `ids` are on each page, and for the sectors holding them, each
 * page's czar and state hash, plus the last log lines of the first page.
 */
export async function describeShips(pages: readonly Page[], ids: readonly string[]): Promise<string> {
  const views = await Promise.all(
    pages.map((page) =>
      page
        .evaluate((want) => {
          const a = window.anarchy!;
          const set = new Set(want);
          const mine = a.units().filter((u) => set.has(u.id));
          const sectors = [...new Set(mine.map((u) => u.sector))];
          return {
            peer: a.localId?.slice(0, 8) ?? '?',
            ships: mine.slice(0, 3).map((u) => `${u.id}@${u.x},${u.y}`).join(' '),
            count: mine.length,
            sectors: sectors.map((s) => `${s} czar ${a.czarOf(s)?.slice(0, 8) ?? 'none'} hash ${a.stateHash(s)}`).join('; '),
            log: a.log().slice(0, 6).map((e) => `${e.kind} ${e.text}`),
          };
        }, ids)
        .catch((err: unknown) => ({ peer: 'closed', ships: String(err), count: 0, sectors: '', log: [] as string[] })),
    ),
  );
  return views.map((v, i) => `page ${i} (${v.peer}): ${v.count} ships, e.g. ${v.ships}; ${v.sectors}${i === 0 ? `\n  log: ${v.log.join(' | ')}` : ''}`).join('\n');
}

const consoles = new Map<string, string[]>();
const uncaught: string[] = [];

/** Keeps a page's console output and uncaught errors for the report of a failed test. */
export function recordConsole(page: Page, name: string): void {
  const lines: string[] = [];
  consoles.set(name, lines);
  page.on('console', (msg) => lines.push(`[${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => {
    lines.push(`[pageerror] ${err.stack ?? err.message}`);
    uncaught.push(`${name}: ${err.message}`);
  });
}

/** Uncaught errors and unhandled rejections of the recorded pages so far, as `name: message`. */
export function uncaughtErrors(): string[] {
  return [...uncaught];
}

/** For `test.afterEach`: attaches the recorded consoles if the test failed, then forgets them. */
export async function attachConsoles(testInfo: TestInfo): Promise<void> {
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const [name, lines] of consoles) {
      await testInfo.attach(`console-${name}`, { body: lines.join('\n'), contentType: 'text/plain' });
    }
  }
  consoles.clear();
  uncaught.length = 0;
}

/** Saves a screenshot of `page` under the test's output directory and attaches it to the report. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  return path;
}

/** Prints a measurement (never asserted: wall-clock times belong in reports, not in checks). */
export function report(what: string, line: string): void {
  console.log(`[demo ${what}] ${line}`);
}
