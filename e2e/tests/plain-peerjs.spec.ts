/**
 * A plain PeerJS client (no SDK) connects and exchanges messages through @anarchy/signal: the
 * service must stay wire-compatible with stock PeerJS.
 */
import { expect, test } from '@playwright/test';
import { SIGNAL_URL, attachConsoles, recordConsole, waitForPageApi } from './support.js';

test.afterEach(async ({}, testInfo) => attachConsoles(testInfo));

test('two plain PeerJS pages connect and talk both ways through the signal service', async ({ browser }) => {
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const [a, b] = await Promise.all(contexts.map((c) => c.newPage()));
    if (!a || !b) throw new Error('two pages');
    recordConsole(a, 'a');
    recordConsole(b, 'b');
    const url = `/plain.html?signal=${encodeURIComponent(SIGNAL_URL)}`;
    await Promise.all([a.goto(url), b.goto(url)]);
    await Promise.all([waitForPageApi(a, 'plain'), waitForPageApi(b, 'plain')]);

    const idA = await a.evaluate(() => window.plain!.id);
    const idB = await b.evaluate(() => window.plain!.id);
    expect(idA).not.toBe(idB);

    await a.evaluate((id) => window.plain!.connect(id), idB);
    await a.evaluate(() => window.plain!.send('hello from a'));
    await expect.poll(() => b.evaluate(() => window.plain!.received)).toEqual([{ from: idA, text: 'hello from a' }]);

    await b.evaluate(() => window.plain!.send('hello from b'));
    await expect.poll(() => a.evaluate(() => window.plain!.received)).toEqual([{ from: idB, text: 'hello from b' }]);

    expect(await a.evaluate(() => window.plain!.errors)).toEqual([]);
    expect(await b.evaluate(() => window.plain!.errors)).toEqual([]);
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});
