/**
 * Issue 4: replicated state across four real browser contexts. Four players join one room over
 * real WebRTC, agree on one czar per shard, refuse writes from non-czars, carry actions from
 * non-czars to the czar, then all write their own shards at once for three seconds; after the
 * writes stop every page holds the same state, with no write lost. Times are reported, not asserted.
 */
import { expect, test } from '@playwright/test';
import { attachConsoles, createRoom } from './support.js';
import {
  SHARDS,
  closeAll,
  errorsOf,
  eventsOf,
  openPlayers,
  ownership,
  report,
  startWriting,
  stopWriting,
  valuesOf,
  waitForCzars,
  waitForEqualHashes,
  waitForFullRoom,
  writesOf,
  type Players,
} from './room-support.js';

test.afterEach(async ({}, testInfo) => attachConsoles(testInfo));

const WRITE_FOR_MS = 3_000;

test('four pages agree on czars, write their own shards at once, act through the czar, and converge', async ({ browser }) => {
  const { roomId } = await createRoom();
  let players: Players | undefined;
  try {
    players = await openPlayers(browser, 4, roomId);
    const { pages, ids, startedAt } = players;

    // --- connect
    const connectedAt = await waitForFullRoom(pages, ids);
    report('connect', `4-page room fully connected ${connectedAt - startedAt} ms after the first page.goto`);

    // --- authority: one czar per shard, the same on every page, and it is the one writing
    const owned = await waitForCzars(pages, ids, 'one agreed czar per shard, writing, with a term on every page');
    report('czars', `settled ${Date.now() - startedAt} ms after the first page.goto; ${ownership(ids, owned)}`);
    expect(owned.flat().sort(), 'every shard has exactly one writer').toEqual([...SHARDS].sort());
    const czarPage = (shard: string): number => owned.findIndex((o) => o.includes(shard));

    // --- a non-czar cannot write; the czar can
    const shard = SHARDS[0]!;
    const czar = czarPage(shard);
    const other = (czar + 1) % pages.length;
    const refused = await pages[other]!.evaluate((s) => window.room!.tryMutate(s), shard);
    expect(refused, `page${other} writing ${shard}, whose czar is page${czar}`).toMatchObject({ ok: false, code: 'not-czar' });
    expect(await pages[czar]!.evaluate((s) => window.room!.tryMutate(s), shard), `page${czar} (czar) writing ${shard}`).toEqual({ ok: true });

    // --- actions from every non-czar reach the czar; each sender reads its own write when act resolves
    const target = SHARDS[1]!;
    const targetCzar = czarPage(target);
    const senders = pages.map((_, i) => i).filter((i) => i !== targetCzar);
    const adds = senders.map((_, k) => 2 ** k); // distinct powers of two: the total says which ones applied
    const total = adds.reduce((a, b) => a + b, 0);
    const actStarted = Date.now();
    const results = await Promise.all(
      senders.map(async (i, k) => {
        const result = await pages[i]!.evaluate(([s, add, tag]) => window.room!.act(s, add, tag), [target, adds[k]!, `page${i}`] as const);
        const seen = await valuesOf(pages[i]!, target);
        return { result, seen };
      }),
    );
    report('act', `${senders.length} concurrent actions on ${target} confirmed within ${Date.now() - actStarted} ms`);
    for (const [k, { result, seen }] of results.entries()) {
      const i = senders[k]!;
      expect(result.ok, `page${i}'s act on ${target}: ${JSON.stringify(result)}`).toBe(true);
      const value = result.ok ? result.value : -1;
      // The handler returns the running total, which includes this action; the replica shows it on resolve.
      expect(value & adds[k]!, `page${i}'s action counted in the total ${value} it got back`).toBe(adds[k]);
      expect(seen.acts, `page${i} reads its own action when act() resolves`).toBeGreaterThanOrEqual(value);
    }
    expect(results.map(({ result }) => (result.ok ? result.value : -1)).sort((a, b) => a - b).at(-1), 'the last action applied sees all of them').toBe(total);
    for (const [i, page] of pages.entries()) {
      await expect.poll(async () => (await valuesOf(page, target)).acts, { message: `page${i} shows every action on ${target}` }).toBe(total);
    }

    // --- everyone writes their own shards at once
    await startWriting(pages);
    await pages[0]!.waitForTimeout(WRITE_FOR_MS);
    await stopWriting(pages);
    const quietMs = await waitForEqualHashes(pages, 'every shard hashes the same on all four pages after the writes stop');
    report('convergence', `all 8 shards equal on 4 pages ${quietMs} ms after the writers stopped (${WRITE_FOR_MS} ms of writes every 50 ms)`);

    // --- no write lost: each shard's counter is the sum of its czar's successful writes
    const writes = await Promise.all(pages.map(writesOf));
    for (const s of SHARDS) {
      const written = writes.reduce((sum, w) => sum + (w[s] ?? 0), 0);
      const values = await Promise.all(pages.map((p) => valuesOf(p, s)));
      for (const [i, v] of values.entries()) {
        expect(v.n, `page${i}: ${s} counts every write (${JSON.stringify(writes.map((w) => w[s] ?? 0))})`).toBe(written);
        expect(v.by, `page${i}: ${s}'s per-page counts`).toEqual(Object.fromEntries(ids.flatMap((id, j) => ((writes[j]![s] ?? 0) > 0 ? [[id, writes[j]![s]!]] : []))));
      }
      expect(written, `${s} was written during the writing phase`).toBeGreaterThan(1);
    }
    expect((await valuesOf(pages[0]!, target)).acts, 'actions survive the writing phase').toBe(total);

    // --- a stable room: nothing rolled back, no errors
    for (const [i, page] of pages.entries()) {
      const rollbacks = (await eventsOf(page)).filter((e) => e.type === 'rollback');
      expect(rollbacks, `page${i} rollbacks`).toEqual([]);
      expect(await errorsOf(page), `page${i} errors`).toEqual([]);
    }
  } finally {
    await closeAll(players);
  }
});
