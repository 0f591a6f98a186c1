/**
 * Regenerates the README's screenshot (docs/images/demo.png) from the real demo: starts a signal
 * service and a production build of the demo on free loopback ports, opens one headless
 * Chromium page with in-page bots (each a full WebRTC peer through the signal service), lets them
 * play, turns the czar overlay and the HUD on, shows the whole galaxy and saves a PNG.
 *
 *   pnpm --filter @anarchy/demo screenshot                # docs/images/demo.png, 1200×750
 *   pnpm --filter @anarchy/demo screenshot -- --out /tmp/x.png --bots 5 --seconds 40
 *
 * Needs built packages (`pnpm turbo run build --filter=@anarchy/demo^...`) and Chromium at
 * /usr/bin/chromium (or CHROMIUM=<path>). Playwright comes from the e2e package's dependencies.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createJsonLogger, createSignalServer } from '@anarchy/signal';
import { build, preview } from 'vite';

const demoRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(demoRoot, '../..');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(repoRoot, 'docs/images/demo.png') },
    width: { type: 'string', default: '1200' },
    height: { type: 'string', default: '750' },
    bots: { type: 'string', default: '3' },
    fleet: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '60' },
  },
});
const num = (name: keyof typeof values, min: number, max: number): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, got ${String(values[name])}`);
    process.exit(2);
  }
  return n;
};
const width = num('width', 320, 3840);
const height = num('height', 240, 2160);
const bots = num('bots', 0, 8);
const fleet = num('fleet', 1, 400);
const seconds = num('seconds', 0, 600);
const out = resolve(String(values.out));

/** Debian's Chromium in a container: no sandbox, GPU or outside network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

interface BrowserLike {
  newPage(options: { viewport: { width: number; height: number }; deviceScaleFactor: number }): Promise<PageLike>;
  close(): Promise<void>;
}
interface PageLike {
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, options?: { timeout: number }): Promise<unknown>;
  evaluate<R>(fn: string): Promise<R>;
  keyboard: { press(key: string): Promise<void> };
  mouse: { move(x: number, y: number): Promise<void> };
  waitForTimeout(ms: number): Promise<void>;
  screenshot(options: { path: string; type: 'png' }): Promise<unknown>;
  on(event: 'console', listener: (m: { type(): string; text(): string }) => void): void;
}

/** Playwright from the e2e package (the demo does not depend on it). */
async function chromium(): Promise<{ launch(o: { executablePath: string; args: string[]; headless: boolean }): Promise<BrowserLike> }> {
  const require = createRequire(join(repoRoot, 'e2e/package.json'));
  let entry: string;
  try {
    entry = require.resolve('@playwright/test');
  } catch {
    throw new Error('Playwright is not installed: run `pnpm install` at the repository root (the e2e package brings it).');
  }
  const mod = require(entry) as { chromium: Awaited<ReturnType<typeof chromium>> };
  return mod.chromium;
}

const signal = await createSignalServer({ port: 0, host: '127.0.0.1', logger: createJsonLogger({ level: 'warn' }) });
const outDir = mkdtempSync(join(tmpdir(), 'anarchy-demo-shot-'));
let server: Awaited<ReturnType<typeof preview>> | undefined;
let browser: BrowserLike | undefined;
try {
  await build({ root: demoRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  server = await preview({ root: demoRoot, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  const demoUrl = server.resolvedUrls?.local[0];
  if (!demoUrl) throw new Error('The preview server did not report its address.');
  const created = await fetch(`${signal.url}/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { roomId } = (await created.json()) as { roomId: string };

  browser = await (await chromium()).launch({ executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`page: ${m.text()}`);
  });
  // Name and colour as a player would pick them in the lobby (remembered per browser).
  await page.goto(demoUrl);
  await page.evaluate(`localStorage.setItem('anarchy.name', 'Ada'); localStorage.setItem('anarchy.colour', '#3b8eff')`);
  const url = `${demoUrl}?room=${roomId}&signal=${encodeURIComponent(signal.url)}&bots=${bots}&fleet=${fleet}`;
  console.log(`opening ${url}`);
  await page.goto(url);
  await page.waitForFunction('window.anarchy?.isReady === true', undefined, { timeout: 60_000 });
  await page.waitForFunction(`window.anarchy.players().filter((p) => p.online).length >= ${1 + bots}`, undefined, { timeout: 90_000 });
  console.log(`${1 + bots} players in room ${roomId}; playing for ${seconds} s`);
  // The bots play by themselves; the page's fleet sets off late enough to be in flight in the picture.
  await page.waitForTimeout(Math.max(0, seconds - 8) * 1000);
  await page.evaluate(`(() => {
    const a = window.anarchy;
    const mine = a.units().filter((u) => u.owner === a.playerId);
    if (mine.length === 0) return;
    const x = mine.reduce((s, u) => s + u.x, 0) / mine.length;
    const y = mine.reduce((s, u) => s + u.y, 0) / mine.length;
    // Towards the galaxy's centre, 800 units.
    const d = Math.hypot(x, y) || 1;
    return a.order(mine.map((u) => u.id), Math.round(x - (x / d) * 800), Math.round(y - (y / d) * 800));
  })()`);
  await page.waitForTimeout(Math.min(seconds, 8) * 1000);
  await page.keyboard.press('g');
  await page.keyboard.press('o');
  await page.keyboard.press('h');
  // Hover a sector so the overlay's tooltip lists its czar and backups.
  await page.mouse.move(Math.round(width * 0.42), Math.round(height * 0.55));
  await page.waitForTimeout(2_200); // the HUD samples once a second: two samples give rates
  await page.screenshot({ path: out, type: 'png' });
  const players = await page.evaluate<Array<{ name: string; colour: string }>>('window.anarchy.players()');
  console.log(`saved ${out} (${Math.round(statSync(out).size / 1024)} KB); players: ${players.map((p) => `${p.name} ${p.colour}`).join(', ')}`);
} finally {
  await browser?.close();
  await server?.close();
  await signal.close();
  rmSync(outDir, { recursive: true, force: true });
}
