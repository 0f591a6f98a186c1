/** Helpers shared by the specs: the signal service's REST API and page start-up. */
import { expect, type Page, type TestInfo } from '@playwright/test';
import '../pages/api.js';
import { SIGNAL_URL } from '../ports.js';

export { SIGNAL_URL };

/** Creates a room through the signal service's REST API, as a game's lobby would. */
export async function createRoom(): Promise<{ roomId: string; maxPeers: number }> {
  const res = await fetch(`${SIGNAL_URL}/rooms`, { method: 'POST' });
  expect(res.status, `POST ${SIGNAL_URL}/rooms`).toBe(201);
  const body = (await res.json()) as { roomId?: unknown; maxPeers?: unknown };
  expect(typeof body.roomId, 'roomId in POST /rooms response').toBe('string');
  expect(typeof body.maxPeers, 'maxPeers in POST /rooms response').toBe('number');
  return { roomId: body.roomId as string, maxPeers: body.maxPeers as number };
}

/** `GET /rooms/:id`: the peers the signal service lists for a room. */
export async function roomPeers(roomId: string): Promise<string[]> {
  const res = await fetch(`${SIGNAL_URL}/rooms/${encodeURIComponent(roomId)}`);
  expect(res.status, `GET /rooms/${roomId}`).toBe(200);
  const body = (await res.json()) as { peers?: unknown };
  expect(Array.isArray(body.peers), 'peers in GET /rooms/:id response').toBe(true);
  return (body.peers as unknown[]).map(String);
}

/**
 * Waits until the page has set `window[key]` (its API) or `window.e2eError` (its start-up failed),
 * and fails with the page's own error message in the second case.
 */
export async function waitForPageApi(page: Page, key: 'e2e' | 'plain' | 'room' | 'runConformance'): Promise<void> {
  const handle = await page.waitForFunction((k) => window[k] !== undefined || window.e2eError !== undefined, key, {
    timeout: 30_000,
  });
  await handle.dispose();
  const error = await page.evaluate(() => window.e2eError);
  expect(error, `page ${page.url()} failed to start`).toBeUndefined();
}

const consoles = new Map<string, string[]>();

/**
 * Keeps a page's console output and uncaught errors; {@link attachConsoles} adds them to the report
 * of a failed test: the first thing to read when a WebRTC connection does not come up.
 */
export function recordConsole(page: Page, name: string): void {
  const lines: string[] = [];
  consoles.set(name, lines);
  page.on('console', (msg) => lines.push(`[${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => lines.push(`[pageerror] ${err.stack ?? err.message}`));
}

/** For `test.afterEach`: attaches the recorded consoles if the test failed, then forgets them. */
export async function attachConsoles(testInfo: TestInfo): Promise<void> {
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const [name, lines] of consoles) {
      await testInfo.attach(`console-${name}`, { body: lines.join('\n'), contentType: 'text/plain' });
    }
  }
  consoles.clear();
}
