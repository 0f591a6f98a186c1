/**
 * Issue 5: failover in real browsers. Four players write their own shards every 50 ms; then the
 * czar of some shards goes away: its tab closes (pagehide: the room hands its shards over and says
 * goodbye), or its renderer crashes (no goodbye of any kind). The survivors
 * must agree that each of its shards now belongs to its pre-assigned first backup, see those
 * shards keep changing under that czar, and converge once the writes stop. The time from the
 * close or crash to the new czar's first change on every survivor is reported, never asserted.
 */
import { expect, test, type Page } from '@playwright/test';
import type { ChangeRecord } from '../pages/api.js';
import { attachConsoles, createRoom } from './support.js';
import {
  SHARDS,
  backupsOf,
  changesOf,
  closeAll,
  czarsOf,
  errorsOf,
  eventsOf,
  openPlayers,
  ownedBy,
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

/** A budget, not a target: the measured times are reported; this only bounds a broken run on a loaded machine. */
const FAILOVER_BUDGET_MS = 45_000;

/** When `page` first saw a change of `shard` written by `czar` at or after `since`, if it has. */
function firstChangeBy(changes: Record<string, ChangeRecord>, shard: string, czar: string, since: number): number | undefined {
  return changes[shard]?.terms.find((t) => t.czar === czar && t.at >= since)?.at;
}

interface Case {
  /** `close`: `page.close({ runBeforeUnload: true })`, so pagehide runs; `crash`: CDP `Page.crash`, nothing runs. */
  readonly departure: 'close' | 'crash';
  /** The closing tab's pagehide (see room.ts): the SDK's own handling, or also the game's `room.leave()` as the TSDoc shows. */
  readonly pagehide: 'sdk' | 'docs';
  readonly label: string;
  readonly title: string;
}

const CASES: readonly Case[] = [
  {
    departure: 'close',
    pagehide: 'sdk',
    label: 'close',
    title: 'a czar tab closed gracefully: its first backups take its shards, which keep changing on every survivor',
  },
  {
    departure: 'close',
    pagehide: 'docs',
    label: 'close-with-leave',
    title: 'a czar tab that also calls room.leave() on pagehide closes just as cleanly',
  },
  {
    departure: 'crash',
    pagehide: 'sdk',
    label: 'crash',
    title: 'a czar tab crashed with no goodbye: its first backups take over, shards keep changing, hashes converge',
  },
];

for (const { departure, pagehide, label, title } of CASES) {
  test(title, async ({ browser }) => {
    const { roomId } = await createRoom();
    let players: Players | undefined;
    try {
      players = await openPlayers(browser, 4, roomId, pagehide);
      const { pages, ids, startedAt } = players;
      const connectedAt = await waitForFullRoom(pages, ids);
      const owned = await waitForCzars(pages, ids, 'one agreed czar per shard before the departure');
      report('setup', `connected in ${connectedAt - startedAt} ms; ${ownership(ids, owned)}`);

      // Everyone writes what it owns, continuously, from here to the end.
      await startWriting(pages);
      for (const [i, page] of pages.entries()) {
        await expect
          .poll(() => shardsWritten(page), { message: `page${i} sees every shard written` })
          .toEqual(SHARDS);
      }

      // The victim: the page writing the most shards (with 8 shards and 4 pages, at least 2).
      const victim = owned.reduce((best, o, i) => (o.length > owned[best]!.length ? i : best), 0);
      const victimId = ids[victim]!;
      const moved = owned[victim]!;
      const survivors = pages.filter((_, i) => i !== victim);
      const survivorIds = ids.filter((_, i) => i !== victim);
      const name = (id: string): string => `page${ids.indexOf(id)}`;
      expect(moved.length, 'the victim writes some shards').toBeGreaterThan(0);

      // Backups as pre-assigned before the departure, the same on every page.
      const backups = await Promise.all(pages.map(backupsOf));
      for (const [i, b] of backups.entries()) {
        for (const s of moved) expect(b[s], `page${i}'s backups of ${s} match the victim's`).toEqual(backups[victim]![s]);
      }
      const successor: Record<string, string> = {};
      for (const s of moved) {
        const next = backups[victim]![s]!.find((id) => id !== victimId && survivorIds.includes(id));
        expect(next, `${s} has a live backup among ${JSON.stringify(backups[victim]![s])}`).toBeDefined();
        successor[s] = next!;
      }
      report('plan', `victim page${victim} writes ${moved.join(' ')}; first backups ${moved.map((s) => `${s}→${name(successor[s]!)}`).join(' ')}`);

      // --- the departure
      const victimPage = pages[victim]!;
      // Writes the victim made before it went: a graceful close hands them all over.
      const victimWrites = await writesOf(victimPage);
      let goneAt: number;
      if (departure === 'close') {
        const closed = victimPage.waitForEvent('close');
        goneAt = Date.now();
        await victimPage.close({ runBeforeUnload: true });
        await closed;
      } else {
        const cdp = await players.contexts[victim]!.newCDPSession(victimPage);
        const crashed = victimPage.waitForEvent('crash');
        goneAt = Date.now();
        // The renderer dies mid-command: the reply may never come, so do not wait for it.
        cdp.send('Page.crash').catch(() => undefined);
        await crashed;
      }

      // --- every survivor names the first backup as czar, and that page is writing
      for (const [k, page] of survivors.entries()) {
        await expect
          .poll(async () => {
            const czars = await czarsOf(page);
            return Object.fromEntries(moved.map((s) => [s, czars[s]]));
          }, { message: `${name(survivorIds[k]!)} names the first backups czars of ${moved.join(' ')}`, timeout: FAILOVER_BUDGET_MS })
          .toEqual(successor);
      }
      for (const s of moved) {
        const heir = pages[ids.indexOf(successor[s]!)]!;
        await expect.poll(async () => (await ownedBy(heir)).includes(s), { message: `${name(successor[s]!)} writes ${s}`, timeout: FAILOVER_BUDGET_MS }).toBe(true);
      }

      // --- and every survivor sees those shards change under the new czar, then keep changing
      const firstSeen: Record<string, number[]> = {};
      for (const s of moved) {
        firstSeen[s] = [];
        for (const [k, page] of survivors.entries()) {
          await expect
            .poll(async () => firstChangeBy(await changesOf(page), s, successor[s]!, goneAt) !== undefined, {
              message: `${name(survivorIds[k]!)} sees ${s} change under ${name(successor[s]!)}`,
              timeout: FAILOVER_BUDGET_MS,
            })
            .toBe(true);
          firstSeen[s]!.push(firstChangeBy(await changesOf(page), s, successor[s]!, goneAt)! - goneAt);
          const n = (await valuesOf(page, s)).n;
          await expect.poll(async () => (await valuesOf(page, s)).n, { message: `${name(survivorIds[k]!)} sees ${s} keep changing` }).toBeGreaterThan(n);
        }
      }
      const worst = Math.max(...Object.values(firstSeen).flat());
      report(
        `${label} failover`,
        `${label} → new czar's first change seen on all ${survivors.length} survivors after ${worst} ms (per shard, slowest survivor: ${moved
          .map((s) => `${s} ${Math.max(...firstSeen[s]!)} ms`)
          .join(', ')})`,
      );

      // --- how the survivors saw the victim leave, and how the heirs took over
      for (const [k, page] of survivors.entries()) {
        await expect
          .poll(async () => (await eventsOf(page)).some((e) => e.type === 'peer-left' && e.peer === victimId), {
            message: `${name(survivorIds[k]!)}'s transport reports the victim gone`,
            timeout: FAILOVER_BUDGET_MS,
          })
          .toBe(true);
      }
      const lefts: Array<{ at: number; reason: string }> = [];
      for (const page of survivors) {
        for (const e of await eventsOf(page)) if (e.type === 'peer-left' && e.peer === victimId) lefts.push({ at: e.at, reason: e.reason });
      }
      const reasons = lefts.map((l) => l.reason);
      const claims: string[] = [];
      for (const heir of new Set(Object.values(successor))) {
        for (const e of await eventsOf(pages[ids.indexOf(heir)]!)) {
          if (e.type === 'claim' && e.at >= goneAt && moved.includes(e.shard)) claims.push(`${e.shard} from ${e.from} after ${e.at - goneAt} ms`);
        }
      }
      report(`${label} detection`, `peer-left after ${lefts.map((l) => `${l.at - goneAt} ms (${l.reason})`).join(', ')}; heirs claimed ${claims.join(', ')}`);
      if (departure === 'close') {
        expect(reasons, 'a closed tab says goodbye: a clean leave').toEqual(survivors.map(() => 'closed'));
      } else {
        // A crashed renderer sends nothing: no survivor may report a clean close.
        for (const [k, reason] of reasons.entries()) expect(reason, `${name(survivorIds[k]!)} saw no goodbye from the crashed tab`).not.toBe('closed');
      }

      // --- quiet, then the survivors hold the same state
      await stopWriting(survivors);
      const quietMs = await waitForEqualHashes(survivors, 'every shard hashes the same on the survivors once writes stop');
      report(`${label} convergence`, `8 shards equal on ${survivors.length} survivors ${quietMs} ms after the writers stopped`);

      // Every write the heirs made is there; shards that did not move lost nothing at all.
      const writes = await Promise.all(survivors.map(writesOf));
      for (const s of SHARDS) {
        const v = await valuesOf(survivors[0]!, s);
        const sumBy = Object.values(v.by).reduce((a, b) => a + b, 0);
        expect(sumBy, `${s}: n counts the per-page writes it holds ${JSON.stringify(v)}`).toBe(v.n);
        if (moved.includes(s)) {
          const heir = survivorIds.indexOf(successor[s]!);
          expect(v.by[successor[s]!], `${s}: every write of its new czar ${name(successor[s]!)} survived`).toBe(writes[heir]![s]);
          if (departure === 'close') {
            expect(v.by[victimId] ?? 0, `${s}: the closed czar handed over every write it made before closing`).toBeGreaterThanOrEqual(victimWrites[s] ?? 0);
          }
        } else {
          expect(v.n, `${s} did not move: it holds every write (${JSON.stringify(writes.map((w) => w[s] ?? 0))})`).toBe(writes.reduce((a, w) => a + (w[s] ?? 0), 0));
        }
      }
      for (const [k, page] of survivors.entries()) {
        const rollbacks = (await eventsOf(page)).filter((e) => e.type === 'rollback');
        expect(rollbacks, `${name(survivorIds[k]!)} rollbacks (survivors never wrote the moved shards before)`).toEqual([]);
        expect(await errorsOf(page), `${name(survivorIds[k]!)} errors`).toEqual([]);
      }
    } finally {
      await closeAll(players);
    }
  });
}

/** Shards whose counter `page` has seen move off zero. */
async function shardsWritten(page: Page): Promise<string[]> {
  const values = await Promise.all(SHARDS.map((s) => valuesOf(page, s)));
  return SHARDS.filter((_, i) => values[i]!.n > 0);
}
