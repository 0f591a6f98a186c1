/**
 * Helpers for the specs that drive `room.html`: open N players (one browser context each) in one
 * room, wait for the full mesh and a settled czar assignment, compare state hashes, and report
 * measured times as annotations (never asserted).
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { ChangeRecord, RoomEventRecord, ShardValues } from '../pages/api.js';
import { SIGNAL_URL, recordConsole, waitForPageApi } from './support.js';

/** Shards every `room.html` declares. */
export const SHARDS = Array.from({ length: 8 }, (_, i) => `s${i}`);

export interface Players {
  readonly contexts: BrowserContext[];
  readonly pages: Page[];
  readonly ids: string[];
  /** `Date.now()` just before the first `page.goto`. */
  readonly startedAt: number;
}

/** Opens `n` players at once (as people opening a shared link) and waits for every page's API. */
export async function openPlayers(browser: Browser, n: number, roomId: string, pagehide: 'sdk' | 'docs' = 'sdk'): Promise<Players> {
  const contexts = await Promise.all(Array.from({ length: n }, () => browser.newContext()));
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  pages.forEach((p, i) => recordConsole(p, `page${i}`));
  const url = `/room.html?signal=${encodeURIComponent(SIGNAL_URL)}&room=${encodeURIComponent(roomId)}&pagehide=${pagehide}`;
  const startedAt = Date.now();
  await Promise.all(pages.map((p) => p.goto(url)));
  await Promise.all(pages.map((p) => waitForPageApi(p, 'room')));
  const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.room!.id)));
  expect(new Set(ids).size, `${n} distinct ids: ${ids.join(', ')}`).toBe(n);
  return { contexts, pages, ids, startedAt };
}

export const closeAll = async (players: Players | undefined): Promise<void> => {
  if (players) await Promise.all(players.contexts.map((c) => c.close()));
};

// Typed one-liners over `window.room`.
export const peersOf = (p: Page): Promise<string[]> => p.evaluate(() => window.room!.peers());
export const czarsOf = (p: Page): Promise<Record<string, string | null>> => p.evaluate(() => window.room!.czars());
export const backupsOf = (p: Page): Promise<Record<string, string[]>> => p.evaluate(() => window.room!.backups());
export const ownedBy = (p: Page): Promise<string[]> => p.evaluate(() => window.room!.owned());
export const hashesOf = (p: Page): Promise<Record<string, string>> => p.evaluate(() => window.room!.hashes());
export const termsOf = (p: Page): Promise<Record<string, string | null>> => p.evaluate(() => window.room!.terms());
export const valuesOf = (p: Page, shard: string): Promise<ShardValues> => p.evaluate((s) => window.room!.values(s), shard);
export const writesOf = (p: Page): Promise<Record<string, number>> => p.evaluate(() => window.room!.writes);
export const eventsOf = (p: Page): Promise<RoomEventRecord[]> => p.evaluate(() => window.room!.events);
export const changesOf = (p: Page): Promise<Record<string, ChangeRecord>> => p.evaluate(() => window.room!.changes);
export const errorsOf = (p: Page): Promise<string[]> => p.evaluate(() => window.room!.errors);
export const startWriting = (pages: readonly Page[]): Promise<unknown> => Promise.all(pages.map((p) => p.evaluate(() => window.room!.startMutating(50))));
export const stopWriting = (pages: readonly Page[]): Promise<unknown> => Promise.all(pages.map((p) => p.evaluate(() => window.room!.stopMutating())));

/** Waits until every page's view holds exactly `ids`; returns when the last page saw the last peer connect. */
export async function waitForFullRoom(pages: readonly Page[], ids: readonly string[]): Promise<number> {
  const want = [...ids].sort();
  for (const [i, page] of pages.entries()) {
    await expect.poll(async () => (await peersOf(page)).sort(), { message: `page${i} sees all ${ids.length} players`, timeout: 30_000 }).toEqual(want);
  }
  const joined = await Promise.all(pages.map((p) => p.evaluate(() => window.room!.joinedAt)));
  return Math.max(...joined.flatMap((byPeer) => Object.values(byPeer)));
}

/**
 * What keeps the czar assignment from being settled, or undefined: every page names the same czar
 * for each shard, that czar is one of `ids` and is writing (`isCzar`) while no other page is, and
 * every page holds a term of every shard.
 */
export async function czarProblem(pages: readonly Page[], ids: readonly string[]): Promise<string | undefined> {
  const czars = await Promise.all(pages.map(czarsOf));
  const owned = await Promise.all(pages.map(ownedBy));
  const terms = await Promise.all(pages.map(termsOf));
  for (const shard of SHARDS) {
    const named = new Set(czars.map((c) => c[shard]));
    if (named.size !== 1) return `${shard}: pages name different czars ${JSON.stringify(czars.map((c) => c[shard]))}`;
    const czar = czars[0]![shard];
    if (czar === null || czar === undefined || !ids.includes(czar)) return `${shard}: czar ${String(czar)} is not a live player`;
    const writers = ids.filter((_, i) => owned[i]!.includes(shard));
    if (writers.length !== 1 || writers[0] !== czar) return `${shard}: czar by view ${czar}, writing now ${JSON.stringify(writers)}`;
    const missing = terms.findIndex((t) => t[shard] === null);
    if (missing >= 0) return `${shard}: page${missing} holds no term yet`;
  }
  return undefined;
}

/** Polls until {@link czarProblem} finds nothing; returns each page's owned shards. */
export async function waitForCzars(pages: readonly Page[], ids: readonly string[], what: string): Promise<string[][]> {
  await expect.poll(() => czarProblem(pages, ids), { message: what, timeout: 30_000 }).toBeUndefined();
  return Promise.all(pages.map(ownedBy));
}

/** What keeps the pages' state hashes apart, or undefined when every shard hashes the same everywhere. */
export async function hashProblem(pages: readonly Page[]): Promise<string | undefined> {
  const hashes = await Promise.all(pages.map(hashesOf));
  const differ = SHARDS.filter((s) => new Set(hashes.map((h) => h[s])).size !== 1);
  return differ.length === 0 ? undefined : `hashes differ on ${differ.map((s) => `${s} ${JSON.stringify(hashes.map((h) => h[s]))}`).join('; ')}`;
}

/** Polls until every shard's hash agrees on all pages; returns the time it took. */
export async function waitForEqualHashes(pages: readonly Page[], what: string): Promise<number> {
  const from = Date.now();
  await expect.poll(() => hashProblem(pages), { message: what, timeout: 30_000, intervals: [50, 100, 250] }).toBeUndefined();
  return Date.now() - from;
}

/** Adds a measurement to the test's annotations and prints it; measurements are never asserted. */
export function report(type: string, description: string): void {
  test.info().annotations.push({ type, description });
  console.log(`[e2e ${type}] ${description}`);
}

/** `page2: s1 s4` lines for reports and messages. */
export const ownership = (ids: readonly string[], owned: readonly string[][]): string =>
  ids.map((id, i) => `page${i} (${id.slice(0, 6)}): ${owned[i]!.join(' ') || '-'}`).join('; ');
