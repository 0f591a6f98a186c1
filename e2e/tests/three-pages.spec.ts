/**
 * Three browser contexts (three players) join one room through the real signal service and talk
 * over real WebRTC on both channels; one tab closes and the other two notice. Connection and
 * close-detection times are measured and reported, never asserted.
 */
import { expect, test, type Page } from '@playwright/test';
import type { ReceivedMessage } from '../pages/api.js';
import { SIGNAL_URL, attachConsoles, createRoom, recordConsole, roomPeers, waitForPageApi } from './support.js';

test.afterEach(async ({}, testInfo) => attachConsoles(testInfo));

const peersOf = (page: Page): Promise<string[]> => page.evaluate(() => window.e2e!.peers());
const receivedBy = (page: Page): Promise<ReceivedMessage[]> => page.evaluate(() => window.e2e!.received);

test('three pages connect, exchange messages on both channels, and see a closed page leave', async ({ browser }) => {
  const { roomId } = await createRoom();
  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext()));
  try {
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    pages.forEach((p, i) => recordConsole(p, `page${i}`));
    const url = `/peer.html?signal=${encodeURIComponent(SIGNAL_URL)}&room=${encodeURIComponent(roomId)}`;

    // --- join: all three at once, as players opening a shared link
    const startedAt = Date.now();
    await Promise.all(pages.map((p) => p.goto(url)));
    await Promise.all(pages.map((p) => waitForPageApi(p, 'e2e')));
    const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.e2e!.id)));
    expect(new Set(ids).size, `three distinct ids: ${ids.join(', ')}`).toBe(3);

    for (const [i, page] of pages.entries()) {
      const others = ids.filter((_, j) => j !== i).sort();
      await expect.poll(async () => (await peersOf(page)).sort(), { message: `page${i} connects to the other two`, timeout: 30_000 }).toEqual(others);
    }
    const joinedAt = await Promise.all(pages.map((p) => p.evaluate(() => window.e2e!.joinedAt)));
    const connectMs = Math.max(...joinedAt.flatMap((byPeer) => Object.values(byPeer))) - startedAt;
    report('connect', `3-page room fully connected ${connectMs} ms after the first page.goto`);
    expect((await roomPeers(roomId)).sort(), 'the signal service lists all three in the room').toEqual([...ids].sort());

    // --- channel guarantees: state is unordered with no retransmits, control is reliable and ordered
    for (const [i, page] of pages.entries()) {
      for (const [j, other] of ids.entries()) {
        if (i === j) continue;
        const state = await page.evaluate((p) => window.e2e!.channelInfo(p, 'state'), other);
        const control = await page.evaluate((p) => window.e2e!.channelInfo(p, 'control'), other);
        expect(state, `page${i} → page${j} state channel`).toMatchObject({ ordered: false, maxRetransmits: 0, readyState: 'open' });
        expect(control, `page${i} → page${j} control channel`).toMatchObject({ ordered: true, maxRetransmits: null, readyState: 'open' });
      }
    }

    // --- messages: every page sends to every other page on both channels
    const channels = [
      ['control', 0xc0],
      ['state', 0x5e],
    ] as const;
    /** Each message names its channel, sender and receiver, so a mix-up cannot go unnoticed. */
    const payload = (tag: number, from: number, to: number): number[] => [tag, from, to, 1, 2, 3];
    const key = (from: string, channel: string, bytes: readonly number[]): string => `${from}/${channel}/${bytes.join(',')}`;
    for (const [channel, tag] of channels) {
      for (const [i, page] of pages.entries()) {
        for (const [j, other] of ids.entries()) {
          if (i !== j) await page.evaluate(([p, ch, b]) => window.e2e!.send(p, ch, b), [other, channel, payload(tag, i, j)] as const);
        }
      }
    }
    for (const [j, page] of pages.entries()) {
      const want = ids.flatMap((from, i) => (i === j ? [] : channels.map(([channel, tag]) => key(from, channel, payload(tag, i, j))))).sort();
      // `state` is unreliable by design; on loopback nothing is lost, so every message must arrive.
      await expect
        .poll(async () => (await receivedBy(page)).map((m) => key(m.from, m.channel, m.bytes)).sort(), { message: `page${j} receives from both others on both channels` })
        .toEqual(want);
      expect(await page.evaluate(() => window.e2e!.errors), `page${j} transport errors`).toEqual([]);
    }

    // --- leave: close page 2's tab without any goodbye from the test
    const [closing] = ids.slice(2);
    const survivors = pages.slice(0, 2);
    const closedAt = Date.now();
    await pages[2]!.close();
    for (const [i, page] of survivors.entries()) {
      await expect.poll(async () => (await peersOf(page)).includes(closing!), { message: `page${i} drops the closed page`, timeout: 45_000 }).toBe(false);
      await expect.poll(() => page.evaluate((p) => window.e2e!.left.filter((l) => l.peer === p).length, closing!), { message: `page${i} emits peer-left once` }).toBe(1);
    }
    const lefts = await Promise.all(survivors.map((p) => p.evaluate((c) => window.e2e!.left.find((l) => l.peer === c)!, closing!)));
    report('close', lefts.map((l, i) => `page${i} saw the closed page leave after ${l.at - closedAt} ms (reason ${l.reason})`).join('; '));
    // The closing tab says goodbye from its pagehide handler, so this is a clean leave, not a timeout.
    expect(lefts.map((l) => l.reason)).toEqual(['closed', 'closed']);

    // The survivors still talk to each other.
    await survivors[0]!.evaluate((p) => window.e2e!.send(p, 'control', [9, 9]), ids[1]!);
    await expect.poll(async () => (await receivedBy(survivors[1]!)).some((m) => m.from === ids[0] && m.bytes.join() === '9,9')).toBe(true);
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});

function report(type: string, description: string): void {
  test.info().annotations.push({ type, description });
  console.log(`[e2e ${type}] ${description}`);
}
