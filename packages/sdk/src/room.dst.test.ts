/**
 * Deterministic simulation of failover ([R30]): from one seed, a room of 3–6 Rooms with SWIM
 * membership, the majority rule and skewed clocks lives through crashes, restarts, joins, leaves,
 * partitions, loss bursts, frozen and hidden tabs (src/room/dst.node.ts). Checked on every event
 * and after every step: terms only grow, deltas apply in order and byte-identical, no term is
 * opened without a majority, a crashed czar's first backup takes over in a quiet room. At the
 * end: convergence within 30 s of quiet, no committed write lost, no write lost silently, no
 * write applied twice.
 *
 * A failure prints the seed and the commands that replay it (`pnpm sim --seed S --verbose`).
 * Every seed that ever failed stays below as a named regression test; the cause of each fixed
 * failure also has a unit test beside the module that failed (src/replication/engine.test.ts).
 * `pnpm sim --seeds N` runs long campaigns on every core.
 */
import { describe, expect, it } from 'vitest';
import { SIM_PROFILES, SIM_V1, runSeeds, runSimulation, simReplayHint } from './room/dst.node.js';

/** Seeds per `pnpm test`; DST_SEEDS raises it, DST_SEED runs one. */
const SEEDS = Number(process.env['DST_SEEDS'] ?? 1000);
/** Seeds FIRST_SEED … FIRST_SEED + SEEDS − 1: from 0, every seed, none skipped. */
const FIRST_SEED = Number(process.env['DST_FIRST'] ?? 0);

/** Seeds that failed once, with what was wrong then (fixed; kept so it stays fixed). */
const REGRESSIONS: ReadonlyArray<{ seed: number; was: string }> = [
  { seed: 1, was: 'a peer restarted under its old id, alone, created a fresh term that outranked the room (a provisional term now yields)' },
  { seed: 16, was: 'a joiner alone in a partition created the shards anew' },
  { seed: 26, was: 'a control stream stuck behind doubling retransmission timeouts after a 50% loss burst (bursts are now moderate)' },
  { seed: 37, was: 'a provisional term leaked through a digest and deposed the room’s czar' },
  { seed: 47, was: 'a provisional term reached a replica through a snapshot push, then was abandoned' },
  { seed: 69, was: 'the minority side kept counting peers it had not heard from as reachable' },
  { seed: 82, was: 'newcomers that reached only frozen peers founded a room of their own' },
  { seed: 89, was: 'the czar of the newest term came back as a new instance under its id: nobody took over' },
  { seed: 95, was: 'peers that left while others were frozen stayed in the stable view: the room stayed read only' },
  { seed: 138, was: 'a handoff that was not used (the successor failed over from its replica) settled the old czar’s writes as kept' },
  { seed: 142, was: 'a retired czar whose successor was cut off saw another term win without reporting its writes' },
  { seed: 162, was: 'a degraded czar handed its shard to a newcomer on its side, which opened a term' },
  { seed: 304, was: 'a peer reported reachable 2.5 s after the last message; a newcomer trusted its first view' },
  { seed: 306, was: 'a takeover with an empty replica fell back to a fresh state while a member held the term' },
  { seed: 319, was: 'a peer woke from a freeze and accepted a stale handoff before its membership caught up' },
  { seed: 1292, was: 'a copy of an orphaned term was refused because a new instance of its czar was in the view' },
  { seed: 63, was: 'a czar counted commits while cut off with its backup on the losing half of a 2|2 split' },
  { seed: 351, was: 'a newcomer that joined on the minority side of a partition took over (newcomers now join whole rooms)' },
  { seed: 406, was: 'both sides of a partition in the room’s first second created the same shard (the room now forms first)' },
  { seed: 410, was: 'a czar that left while cut off could not report its lost writes (its player is gone: excused)' },
  { seed: 536, was: 'a newcomer on the minority side trusted the few members it had seen' },
  { seed: 546, was: 'no czar after the faults stopped (a degraded designated czar; fixed with the stable-view rules)' },
  { seed: 670, was: 'a takeover asked only its view, not a connected peer its view had dropped, which held more' },
  { seed: 819, was: 'a leaver’s writes lost after its leave timed out on the minority side (excused: it left)' },
  { seed: 825, was: 'a peer cut off moments after it joined founded its own room' },
  { seed: 860, was: 'a takeover fell back to a lower replica while a member with more was re-dialling' },
  { seed: 190, was: 'a takeover gave up after takeoverSyncMs on a member whose link was half-open after a freeze, passing over the backup holding the last commits (members of the view are now waited for while connected)' },
  { seed: 1271, was: 'a peer that said goodbye and came back under its id stayed set aside on the peers whose view never dropped it: views disagreed on the czar' },
  { seed: 2554, was: 'a peer that said goodbye, crashed mid-leave and came back under its id stayed set aside: views disagreed on the czar' },
  { seed: 2687, was: 'a lone peer committed at once ("acked by nobody") while connected to peers its view did not list yet, then lost its term to the room' },
  { seed: 3835, was: 'a takeover asked a holder for a copy forever after it came back as a new instance holding nothing: no czar' },
  { seed: 8724, was: 'a takeover asked a restarted holder for a copy forever: no czar (as 3835)' },
  { seed: 14341, was: 'a takeover on the side that regained the majority asked only its view, which lacked the backup holding the last commits' },
  { seed: 4026, was: 'a czar’s digest delayed on the ordered channel (listing the term it held before its own) made its live term look orphaned: another peer failed over and the czar’s writes were lost' },
  { seed: 52047, was: 'a peer woken from a freeze took over on final holdings its peers had sent long before (the finals that speed up takeovers now count only when recent), missing the term one of them had opened since' },
  { seed: 31019, was: 'every peer went to SWIM’s automatic standby together after loss bursts and partitions: no eligible czar for 30 s (a peer no longer stands by when nobody else is eligible)' },
  { seed: 15573, was: 'the simulated transport queued a new connection’s control packets behind the retransmissions of the previous connection between the same two peers: one replica got no repair for 30 s (fixed in SimNetwork; test in sim/faults.test.ts)' },
  { seed: 42228, was: 'a czar that crashed and came back under its old id opened the same term, (2, p3), twice: terms did not tell instances of one id apart (terms now carry the instance’s writer tag, [R7]; the ledger also credited the new instance’s commit to the old one’s write)' },
  { seed: 30201, was: 'both sides of a partition took over a gone czar’s shard under the same term number; at the heal the minority’s (number, czar) pair ranked higher and the majority’s committed writes were lost (terms now need a majority’s votes before their writes commit, and a confirmed term outranks a same-number rival, [R7], [R23])' },
  { seed: 63115, was: 'a czar back from hidden tabs committed at once ("acked by nobody") in a term a peer on the other side claimed under the same number and won with its higher id (the same fix as 30201: no commit before the term is confirmed)' },
  { seed: 93249, was: 'a peer back from the minority side counted a new instance of the crashed czar’s player as its majority and took over 14 ms later, before its view listed the backup holding the last commit (a peer regaining a majority now waits stableViewMs before opening a term, [R26])' },
  { seed: 91210, was: 'a peer back from a partition, with a stable view that had shrunk (it dropped the czar while the czar was frozen), took over the live czar’s shard under a higher number with a new instance of a player as its majority; the czar’s write acked by that instance was lost (the fix of 93249)' },
  { seed: 64707, was: 'after crashes and restarts under the same and new ids across a partition, views disagreed on the czar for 30 s: the restarted p0 refuted its tombstone at the incarnation its earlier life had used to announce standby, so peers kept whichever of the two facts arrived first (peers that see both now tell the peer, which outruns them, [M21])' },
  { seed: 23885, was: 'an old czar whose successor vanished took its shard back from its replica at once, on waking from a freeze with half-open links, under a number past the term the room had confirmed and committed in meanwhile; its later handoff deposed that term (taking a shard back is now a takeover: it asks every member first, [R12], [R25])' },
  { seed: 3789, was: 'a takeover of a term nobody held any more (its czar and the one replica that had its snapshot crashed) started from nothing while a member held the term before it, with an earlier czar’s handed-off write that nobody then reported lost (a takeover now starts from the highest older replica any member holds, [R25])' },
  { seed: 13018, was: 'a tab shown again while frozen claimed at once on its stale view (the stall check now runs on every call of the game, not only on ticks and messages)' },
];

/**
 * Open failures, each replaying deterministically; `it.fails` flips to red the day one is fixed,
 * and it then moves up to REGRESSIONS.
 */
const KNOWN: ReadonlyArray<{ seed: number; what: string }> = [
  {
    seed: 54681,
    what:
      'four of six players leave while the partition that holds them away from the other two lasts: their goodbyes never reach the two left, which never regain a majority of six (the family of 21528)',
  },
  {
    seed: 21528,
    what:
      'the whole majority side of a 2|2 partition leaves gracefully before the heal: its goodbyes never reach the minority, which cannot tell a departure from a partition and stays read only for good (no czar); a limitation of the majority rule [R26] unless a leaver’s goodbye can reach the others later (e.g. through the signal service)',
  },
  {
    seed: 45307,
    what:
      'three of five players leave while the others are frozen, hidden or cut off, and none of their goodbyes (replication or SWIM `left`) reaches the two that remain: those count them as failures, never regain a majority of five and stay read only (the family of 21528)',
  },
  {
    seed: 58856,
    what:
      'a term that was never confirmed deposes a confirmed one by its higher number: p3 took over from the frozen czar p4 (term 2, base 1/0) and a partition cut it off with only p5 at once; p4 woke on the majority side, which never heard of term 2, and went on committing term 1 (acked by p2); at the heal p4 stepped down for the unconfirmed term 2 and its committed writes were lost. [R7] ranks terms by number before confirmation; a fix needs a rival of a higher number to win only once confirmed, or votes that refuse a term whose base is behind what the voter holds (as in Raft)',
  },
  // 77563 was found by the first 100,000-seed run of `pnpm sim` (10 failed), 58856 by the second
  // (7 failed: these five, and 3789 and 23885, fixed above). The third, after those fixes: these
  // five failed, no other.
  {
    seed: 77563,
    what: 'two of four players leave while the third is cut off: their goodbyes never reach it and the room stays read only with no czar (the family of 21528)',
  },
];


describe('failover simulation', () => {
  const single = process.env['DST_SEED'];
  if (single !== undefined) {
    it(`[R30] seed ${single}`, () => {
      const o = runSimulation(Number(single), SIM_PROFILES[process.env['DST_PROFILE'] ?? 'v1'] ?? SIM_V1, process.env['DST_VERBOSE'] !== undefined);
      expect(o.problem, simReplayHint(o)).toBeUndefined();
    });
    return;
  }

  for (const r of REGRESSIONS) {
    it(`[R30] regression: seed ${r.seed}: ${r.was}`, () => {
      const o = runSimulation(r.seed, SIM_V1);
      expect(o.problem, simReplayHint(o)).toBeUndefined();
    });
  }

  for (const k of KNOWN) {
    it.fails(`[R30] known open failure: seed ${k.seed}: ${k.what}`, () => {
      const o = runSimulation(k.seed, SIM_V1);
      expect(o.problem, simReplayHint(o)).toBeUndefined();
    });
  }

  it(`[R30] ${SEEDS} seeded schedules of crashes, restarts, joins, leaves, partitions, loss bursts, frozen and hidden tabs, skewed clocks`, async () => {
    const { failures, totals } = await runSeeds(FIRST_SEED, SEEDS, SIM_V1);
    if (process.env['DST_STATS'] !== undefined) console.log(totals);
    expect(failures, failures.join('\n')).toEqual([]);
    // The schedules must have exercised what they claim to, or passing means nothing.
    for (const k of ['crashes', 'restarts', 'partitions', 'pauses', 'hides', 'leaves', 'joins']) expect(totals[k], k).toBeGreaterThan(SEEDS / 10);
    expect(totals['committed']).toBeGreaterThan(SEEDS);
    expect(totals['reported']).toBeGreaterThan(0);
    expect(totals['successions']).toBeGreaterThan(0);
  }, 300_000);
});
