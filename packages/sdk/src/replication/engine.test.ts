/**
 * Failover causes found by the deterministic simulation (src/room/dst.node.ts), each pinned here
 * with a hand-written view ({@link ScriptedMembership}) so that the view and the links disagree
 * exactly as they did in the failing seed. Each test failed before its fix; the seed it came
 * from is in its name (the seeds themselves stay in src/room.dst.test.ts).
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { describe, expect, it } from 'vitest';
import { AnarchyError, ErrorCode } from '../errors.js';
import { shardId } from '../authority/ids.js';
import { rankPeers } from '../authority/rendezvous.js';
import type { Room } from '../room.js';
import { PeerClock } from '../room/peer-clock.node.js';
import { SimCluster } from '../room/sim-cluster.node.js';
import { asPeerId } from '../transport/types.js';
import { ShardWriter } from './shard-store.js';
import { ScriptedMembership } from './test-support.node.js';

const Log = schema({ items: t.array('string') }, 'EngineTestLog');
type Log = SchemaType<typeof Log>;

/** The first shard id `x0`, `x1`, … whose rendezvous order over `peers` starts with `order`. */
function shardRanked(peers: readonly string[], order: readonly string[]): string {
  for (let i = 0; i < 10_000; i++) {
    const ranked = rankPeers(shardId(`x${i}`), peers.map(asPeerId));
    if (order.every((p, k) => ranked[k] === p)) return `x${i}`;
  }
  throw new Error(`no shard ranks ${order.join(' > ')} first`);
}

/** A shard whose order over `peers` puts `higher` above `lower` for every pair given. */
function shardWhere(peers: readonly string[], ok: (rank: (p: string) => number) => boolean): string {
  for (let i = 0; i < 10_000; i++) {
    const ranked = rankPeers(shardId(`x${i}`), peers.map(asPeerId));
    if (ok((p) => ranked.indexOf(asPeerId(p)))) return `x${i}`;
  }
  throw new Error('no shard fits');
}

interface Harness {
  readonly c: SimCluster;
  readonly views: Map<string, ScriptedMembership>;
  readonly clocks: Map<string, PeerClock>;
  /** Joins `id` with a scripted view; `declares` false joins it without the shard. */
  add(id: string, view: readonly string[], declares?: boolean): Room;
  room(id: string): Room;
  write(id: string, item: string): void;
  items(id: string): string[];
}

function harness(seed: number, shard: string, room: Record<string, unknown> = {}): Harness {
  const c = new SimCluster({
    seed,
    link: { latencyMs: 20, jitterMs: 0, loss: 0 },
    transport: { keepAliveMs: 250, peerTimeoutMs: 1_500, redialMs: 250 },
    room: { bootstrapMs: 300, antiEntropyMs: 200, graceMs: 1_000, repairRetryMs: 150, handoffRetryMs: 200, leaveTimeoutMs: 1_000, leaveOnHide: false, ...room },
    shards: [{ id: shard, State: Log, options: { onAction: ((st: Log, a: { item: string }) => void st.items.push(a.item)) as never } }],
  });
  const views = new Map<string, ScriptedMembership>();
  const clocks = new Map<string, PeerClock>();
  const h: Harness = {
    c,
    views,
    clocks,
    add(id, view, declares = true) {
      const membership = new ScriptedMembership(asPeerId(id), view);
      const clock = new PeerClock(c.net.clock);
      views.set(id, membership);
      clocks.set(id, clock);
      return c.add(id, declares ? { clock, room: { membership } } : { clock, room: { membership }, shards: [] });
    },
    room: (id) => c.rooms.get(id)!,
    write(id, item) {
      h.room(id).mutate<Log, void>(shard, (s) => {
        s.items.push(item);
      });
    },
    items: (id) => [...h.room(id).state<Log>(shard).items],
  };
  return h;
}

describe('ReplicationEngine: failover causes found by the simulation', () => {
  it('[R12] a peer that said goodbye and comes back under the same id is eligible again (seeds 1271, 2554)', () => {
    const ids = ['a', 'b', 'x'];
    const shard = shardRanked(ids, ['x']);
    const h = harness(11, shard);
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 11').toBeUndefined();
    expect(h.room('a').czarOf(shard)).toBe('x');
    // x starts to leave (its goodbye reaches a and b), then crashes mid-leave; nobody's view
    // noticed (a restart faster than failure detection).
    void h.room('x').leave();
    h.c.run(60);
    h.c.crash('x');
    h.c.run(2_500); // the old links time out
    h.add('x', ids);
    const problem = h.c.settle(10_000, 50);
    expect(problem, 'seed 11').toBeUndefined();
    for (const id of ids) expect(h.room(id).czarOf(shard), id).toBe('x');
    expect(h.room('x').isCzar(shard)).toBe(true);
  });

  it('[R23] with no backup in the view, writes do not commit while a peer is connected that the view does not list yet (seed 2687)', () => {
    const shard = shardRanked(['a', 'b'], ['a', 'b']);
    const h = harness(12, shard, { requireMajority: false });
    h.add('a', []); // a's view lags: b is connected but not listed
    h.add('b', ['a']);
    h.c.run(2_000);
    const a = h.room('a');
    expect(a.isCzar(shard)).toBe(true);
    h.write('a', 'w1');
    h.c.run(300);
    const committed = (): number => a.metrics().shards[shard]!.committedSeq;
    const seq = a.termOf(shard)!.seq;
    expect(seq).toBeGreaterThan(0);
    // Alone in its view, but not alone: nothing is committed without b's ack.
    expect(committed()).toBe(-1);
    h.views.get('a')!.set(['b']);
    h.c.run(500);
    expect(committed()).toBe(seq);
  });

  it('[R25] a takeover waits for a member whose link looks open but is dead (a half-open link after a freeze) (seed 190)', () => {
    // z writes; b is z's first backup while s is frozen; s is the next czar once z is gone.
    const ids = ['b', 's', 'z'];
    const shard = shardWhere(ids, (r) => r('z') === 0 && r('s') < r('b'));
    const h = harness(13, shard, { requireMajority: false });
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 13').toBeUndefined();
    h.write('z', 'w0');
    h.c.run(300);
    // s freezes; z and b drop their links to it (what they sent it last waits in its inbox), then
    // z writes and b, its first backup now, commits the writes.
    h.c.net.pause('s');
    h.clocks.get('s')!.pause();
    h.views.get('z')!.set(['b']);
    h.views.get('b')!.set(['z']);
    h.c.run(2_000);
    h.write('z', 'w1');
    h.c.run(100);
    h.write('z', 'w2');
    h.c.run(400);
    const z = h.room('z');
    expect(z.metrics().shards[shard]!.committedSeq).toBe(z.termOf(shard)!.seq);
    // z crashes; s wakes, and the queued packets make its link to b look open for a while.
    h.c.crash('z');
    h.views.get('b')!.set(['s']);
    h.views.get('s')!.set(['b']);
    h.c.net.resume('s');
    h.clocks.get('s')!.resume();
    h.c.run(6_000);
    expect(h.room('s').isCzar(shard)).toBe(true);
    expect(h.items('s'), 'the committed w1 and w2 survive').toEqual(['w0', 'w1', 'w2']);
  });

  it('[R25] a holder that came back as a new instance is not asked for a copy forever (seeds 3835, 8724)', () => {
    // z writes; h1 and h2 hold its term (h1 more of it); s joins after z crashed and is its
    // successor, so it must take over from a copy.
    const ids = ['h1', 'h2', 's', 'z'];
    const shard = shardWhere(ids, (r) => r('z') === 0 && r('s') === 1);
    const h = harness(14, shard, { requireMajority: false });
    for (const id of ['h1', 'h2', 'z']) h.add(id, ['h1', 'h2', 'z']);
    expect(h.c.settle(5_000, 50), 'seed 14').toBeUndefined();
    h.write('z', 'w1');
    h.c.run(300);
    // h2 misses w2 (its czar crashes before anyone could repair it).
    h.c.net.partition(['h2'], ['h1', 'z']);
    h.write('z', 'w2');
    h.c.run(150);
    h.c.crash('z');
    h.c.net.heal();
    for (const id of ['h1', 'h2']) h.views.get(id)!.set(['h1', 'h2', 's']);
    h.add('s', ['h1', 'h2']);
    h.c.run(200); // s learns that h1 holds the most
    // h1 crashes and comes back empty under its own id before s asked it for a copy.
    h.c.crash('h1');
    h.c.run(2_000);
    h.add('h1', ['h1', 'h2', 's']);
    h.c.run(8_000);
    expect(h.room('s').isCzar(shard)).toBe(true);
    expect(h.items('s')).toEqual(['w1']);
  });

  it('[R25] a takeover asks the members of the last stable view that its view lacks (seed 14341)', () => {
    // z writes on the majority side of a partition, p3 its first backup; then z and p2 (the only
    // other holder) crash, and p2 comes back empty on the other side, which so regains the
    // majority while its view lacks p3, out of reach for a moment.
    const ids = ['p0', 'p1', 'p2', 'p3', 'z'];
    const shard = shardWhere(ids, (r) => r('z') === 0 && r('p3') === 1 && r('p1') < r('p0') && r('p1') < r('p2'));
    const h = harness(15, shard);
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 15').toBeUndefined();
    h.write('z', 'w0');
    h.c.run(300);
    h.c.net.partition(['p0', 'p1'], ['p2', 'p3', 'z']);
    h.write('z', 'w1');
    h.c.run(300);
    const z = h.room('z');
    expect(z.metrics().shards[shard]!.committedSeq).toBe(z.termOf(shard)!.seq);
    h.c.crash('z');
    h.c.crash('p2');
    h.c.run(2_000); // p1's links to the other side time out
    h.c.net.partition(['p3'], ['p0', 'p1', 'p2']);
    for (const id of ['p0', 'p1']) h.views.get(id)!.set(['p0', 'p1', 'p2']);
    h.add('p2', ['p0', 'p1']);
    h.c.run(300);
    h.c.net.heal();
    h.c.run(5_000);
    expect(h.room('p1').isCzar(shard)).toBe(true);
    expect(h.items('p1'), 'the committed w1 survives').toEqual(['w0', 'w1']);
  });

  it('[R24] an action the czar applied and answered, lost when the czar crashed before sending it on, is not reported as done (the demo\'s lost hello)', async () => {
    const ids = ['b', 'c', 's'];
    const shard = shardWhere(ids, (r) => r('c') === 0 && r('b') === 1);
    const h = harness(16, shard, { requireMajority: false });
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 16').toBeUndefined();
    // c answers actions (message handlers) but its tick, which sends the delta, never comes.
    h.clocks.get('c')!.pause();
    let outcome: unknown = 'pending';
    h.room('s')
      .act(shard, { item: 'hello' })
      .then(
        () => (outcome = 'resolved'),
        (err: unknown) => (outcome = err),
      );
    h.c.run(100); // c applied it and answered s
    h.c.crash('c');
    for (const id of ['b', 's']) h.views.get(id)!.set(['b', 's']);
    h.c.run(3_000);
    await Promise.resolve();
    expect(h.room('b').isCzar(shard)).toBe(true);
    expect(h.items('b')).toEqual([]);
    expect(outcome).toBeInstanceOf(AnarchyError);
    expect((outcome as AnarchyError).code).toBe(ErrorCode.RolledBack);
  });

  it('[R25] a replica whose view dropped the czar acknowledges nothing more of its term, and tells the successor its holding is final', () => {
    const ids = ['b', 's', 'z'];
    const shard = shardWhere(ids, (r) => r('z') === 0 && r('s') === 1);
    const h = harness(17, shard, { requireMajority: false });
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 17').toBeUndefined();
    const z = h.room('z');
    const committed = (): number => z.metrics().shards[shard]!.committedSeq;
    h.write('z', 'w1');
    h.c.run(300);
    expect(committed()).toBe(z.termOf(shard)!.seq);
    // z's view makes b its first backup; b's view has dropped z (s is next there): b's acks stop.
    h.views.get('z')!.set(['b']);
    h.views.get('b')!.set(['s']);
    h.write('z', 'w2');
    h.c.run(300);
    expect(z.termOf(shard)!.seq).toBe(2);
    expect(committed()).toBe(1);
    // s already knows b's final holding: once z is gone it takes over without a round of
    // questions to b.
    h.views.get('s')!.set(['b']);
    h.c.crash('z');
    h.c.run(25); // less than a round trip to b
    expect(h.room('s').isCzar(shard)).toBe(true);
    expect(h.items('s')).toContain('w1');
  });

  it('[R26] a tab shown again after a freeze does not claim on what it knew before the freeze (seed 13018)', () => {
    const ids = ['p1', 'z'];
    const shard = shardRanked(ids, ['z', 'p1']);
    const h = harness(18, shard);
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 18').toBeUndefined();
    h.write('z', 'w1');
    h.c.run(300);
    const p1 = h.room('p1');
    // p1's tab is hidden (standby), then its view loses z, then the tab freezes.
    p1.setStandby(true);
    h.views.get('p1')!.set([]);
    h.c.run(100);
    expect(p1.isCzar(shard)).toBe(false);
    h.c.net.pause('p1');
    h.clocks.get('p1')!.pause();
    h.c.crash('z');
    h.c.run(2_000);
    // The page is shown again: `visibilitychange` runs before any of its overdue timers.
    h.c.net.resume('p1');
    p1.setStandby(false);
    expect(p1.isCzar(shard)).toBe(false);
    expect(p1.status()).toBe('degraded');
    h.clocks.get('p1')!.resume();
    h.c.run(3_000);
    expect(p1.isCzar(shard)).toBe(true);
    expect(h.items('p1')).toEqual(['w1']);
  });

  it('[R25] a czar’s digest that waited behind a retransmission, listing the term it held before its own, does not make its term look orphaned (seed 4026)', () => {
    const ids = ['r', 'y', 'z'];
    const shard = shardWhere(ids, (rank) => rank('y') === 0 && rank('z') === 1);
    const h = harness(19, shard, { requireMajority: false });
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 19').toBeUndefined();
    h.write('y', 'w1');
    h.c.run(300);
    // y hands the shard to z, which opens term 2.
    for (const id of ['y', 'z']) h.views.get(id)!.set(['r', 'z', 'y'], ['y']);
    h.c.run(500);
    const z = h.room('z');
    expect(z.isCzar(shard)).toBe(true);
    const held = z.termOf(shard)!;
    // r's view sets z aside, so r is the czar by its view and asks z to hand over (z, whose view
    // disagrees, keeps writing); then a digest z sent while it still held y's term arrives late.
    h.views.get('r')!.set(['y', 'z'], ['y', 'z']);
    const engine = (h.room('r') as unknown as { engine: { handle(from: string, channel: string, m: unknown): void } }).engine;
    engine.handle('z', 'control', { type: 'shard-digest', flags: 0, entries: [{ shard, term: held.term - 1, czar: 'y', writer: 0, seq: 1, held: 1 }] });
    h.c.run(3_000);
    expect(h.room('r').isCzar(shard)).toBe(false);
    expect(z.isCzar(shard)).toBe(true);
    expect(z.termOf(shard)!.term).toBe(held.term);
  });

  it('[R25] a final holding heard long before the takeover is asked about again: its peer may have moved on to a newer term since (seed 52047)', () => {
    const ids = ['b', 's', 'z'];
    const shard = shardWhere(ids, (r) => r('z') === 0 && r('s') === 1);
    // Anti-entropy rare: b's final holding reaches s once, when b drops z.
    const h = harness(20, shard, { requireMajority: false, antiEntropyMs: 60_000 });
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 20').toBeUndefined();
    h.write('z', 'w1');
    h.c.run(300);
    // b drops z (and tells s, its successor there, that its holding is final); much later s
    // drops z too.
    h.views.get('b')!.set(['s']);
    h.c.run(1_000);
    h.views.get('s')!.set(['b']);
    h.c.crash('z');
    h.c.run(25); // less than a round trip to b: s must not have taken over on the old word
    expect(h.room('s').isCzar(shard)).toBe(false);
    h.c.run(500);
    expect(h.room('s').isCzar(shard)).toBe(true);
    expect(h.items('s')).toEqual(['w1']);
  });

  it('[R12] a peer offered a shard it never declared declines, and the old czar takes the shard back (scale bench)', () => {
    const shard = shardRanked(['a', 'b'], ['b', 'a']);
    const h = harness(13, shard);
    h.add('a', []); // a's view does not list b yet: a is the czar
    h.add('b', ['a'], false); // b's world does not hold the shard (views differ on its succession)
    h.c.run(1_000);
    const a = h.room('a');
    expect(a.isCzar(shard), 'seed 13').toBe(true);
    h.write('a', 'w1');
    h.c.run(100);
    // a's view now names b, which has no such shard: a offers it, b declines, a writes on.
    h.views.get('a')!.set(['b']);
    h.c.run(500);
    expect(a.isCzar(shard), 'seed 13: the shard has no czar').toBe(true);
    h.write('a', 'w2');
    const taken = a.termOf(shard)!.term;
    // Once b declares the shard it asks for it, and a hands it over with both writes.
    h.room('b').declareShard(shard, Log, { onAction: ((st: Log, act: { item: string }) => void st.items.push(act.item)) as never });
    h.c.run(2_000);
    expect(h.c.checker.violations, 'seed 13').toEqual([]);
    expect(h.room('b').isCzar(shard), 'seed 13').toBe(true);
    expect(h.room('b').termOf(shard)!.term).toBeGreaterThan(taken);
    expect(h.items('b')).toEqual(['w1', 'w2']);
    expect(h.items('a')).toEqual(['w1', 'w2']);
  });

  it('[R31] a peer claims, takes over and hands off only the shards its scope decides', () => {
    const seed = 31;
    const shard = shardRanked(['a', 'b'], ['b', 'a']);
    const h = harness(seed, shard);
    const a = h.add('a', []);
    a.setScope({ admits: () => true, decides: (s) => s !== shard });
    h.c.run(2_000);
    // a's view names a, but the shard is not a's to decide: nobody creates it.
    expect(a.czarOf(shard), `seed ${seed}`).toBe('a');
    expect(a.isCzar(shard), `seed ${seed}`).toBe(false);
    a.setScope(undefined);
    h.c.run(1_000);
    expect(a.isCzar(shard), `seed ${seed}`).toBe(true);
    h.write('a', 'w1');
    // b arrives and a's view names it; with the shard out of a's scope, a keeps writing.
    h.add('b', ['a']);
    a.setScope({ admits: () => true, decides: (s) => s !== shard });
    h.views.get('a')!.set(['b']);
    h.c.run(2_000);
    expect(a.isCzar(shard), `seed ${seed}`).toBe(true);
    expect(h.room('b').isCzar(shard), `seed ${seed}`).toBe(false);
    // Back in scope: a hands off to b with its write.
    a.setScope({ admits: () => true });
    h.c.run(2_000);
    expect(h.room('b').isCzar(shard), `seed ${seed}`).toBe(true);
    expect(h.items('b'), `seed ${seed}`).toEqual(['w1']);
    // A crash of the czar: a, whose scope does not decide the shard, does not take over.
    a.setScope({ admits: () => true, decides: () => false });
    h.c.crash('b');
    h.views.get('a')!.set([]);
    h.c.run(3_000);
    expect(a.isCzar(shard), `seed ${seed}`).toBe(false);
    a.setScope(undefined);
    h.c.run(3_000);
    expect(a.isCzar(shard), `seed ${seed}`).toBe(true);
    expect(h.items('a'), `seed ${seed}`).toEqual(['w1']);
    expect(h.c.checker.violations, `seed ${seed}`).toEqual([]);
  });

  it('[R11] a shard declared after bootstrapping is not created while a connected peer that may hold it has not said so since (world seed 20251124)', () => {
    // b is the czar by its view, joins without the shard and declares it later (a world declares
    // the sectors of its succession once its view rests); a writes term 1 meanwhile (its view
    // lags). b knew nothing of the shard: the digests it had were read before the declaration.
    const shard = shardRanked(['a', 'b'], ['b', 'a']);
    const h = harness(15, shard);
    h.add('a', []);
    h.add('b', ['a'], false);
    h.c.run(2_000);
    const a = h.room('a');
    expect(a.isCzar(shard), 'seed 15').toBe(true);
    h.write('a', 'w1');
    h.c.run(300);
    const b = h.room('b');
    const claims: string[] = [];
    b.on('trace', (e) => {
      if (e.type === 'claim' && e.shard === shard) claims.push(`${e.from} ${e.term}`);
    });
    b.declareShard(shard, Log, { onAction: ((st: Log, act: { item: string }) => void st.items.push(act.item)) as never });
    h.c.run(2_000);
    // A fresh term (1, b) would outrank (1, a) and wipe w1 everywhere.
    expect(claims, 'seed 15: b opened a term over the one a holds').toEqual([]);
    expect(h.c.checker.violations, 'seed 15').toEqual([]);
    expect(h.items('a'), 'seed 15').toEqual(['w1']);
    expect(h.items('b'), 'seed 15').toEqual(['w1']);
    // Once a's view agrees, it hands the shard to b with its write.
    h.views.get('a')!.set(['b']);
    h.c.run(2_000);
    expect(b.isCzar(shard), 'seed 15').toBe(true);
    expect(claims, 'seed 15').toEqual([`handoff ${a.termOf(shard)!.term}`]);
    expect(h.items('b'), 'seed 15').toEqual(['w1']);
  });

  it('[R11] without the majority rule, a shard is created once the connected peers answered, however large the view (scale bench)', () => {
    const view = ['b', 'c', 'd', 'e']; // c, d and e are members a never reaches (a partial mesh)
    const shard = shardRanked(['a', ...view], ['a']);
    for (const requireMajority of [false, true]) {
      const h = harness(14, shard, { requireMajority });
      h.add('a', view);
      h.add('b', ['a', 'c', 'd', 'e']);
      h.c.run(3_000);
      // With the majority rule, a waits for answers from a majority of its view, as before.
      expect(h.room('a').isCzar(shard), `seed 14, requireMajority ${requireMajority}`).toBe(!requireMajority);
    }
  });
  it('[R7] a peer back under its old id opens terms of its own: a replica still holding the term of its previous life never mixes the two (seed 42228)', () => {
    const ids = ['a', 'b', 'c'];
    const shard = shardWhere(ids, (r) => r('c') === 0 && r('b') === 1);
    const h = harness(21, shard, { requireMajority: false });
    h.add('a', ['a', 'c']);
    h.add('c', ['a', 'c']);
    expect(h.c.settle(5_000, 50), 'seed 21').toBeUndefined();
    expect(h.room('c').isCzar(shard)).toBe(true);
    h.write('c', 'old1');
    h.write('c', 'old2');
    h.c.run(300);
    expect(h.items('a')).toEqual(['old1', 'old2']);
    const old = h.room('a').termOf(shard)!;
    // a is cut off still holding c's term; c crashes and comes back under its id, knowing
    // nothing, next to a newcomer b holding nothing: it creates the shard again, under the
    // same number as the term of its previous life.
    h.c.net.partition(['a'], ['b', 'c']);
    h.c.crash('c');
    h.c.run(500);
    h.add('b', ['b', 'c']);
    h.add('c', ['b', 'c']);
    h.c.run(2_000);
    const c = h.room('c');
    expect(c.isCzar(shard)).toBe(true);
    expect(c.termOf(shard)!.term).toBe(old.term);
    h.write('c', 'new1');
    h.write('c', 'new2');
    h.write('c', 'new3');
    h.c.run(300);
    // The partition heals: one of the two terms wins everywhere, and no replica applies the
    // new life's deltas on top of the old life's state.
    h.c.net.heal();
    for (const id of ids) h.views.get(id)!.set(ids);
    expect(h.c.settle(15_000, 50), 'seed 21').toBeUndefined();
    const items = h.items('c');
    for (const id of ids) expect(h.items(id), id).toEqual(items);
    expect([['old1', 'old2'], ['new1', 'new2', 'new3']].some((w) => w.every((x) => items.includes(x)))).toBe(true);
    expect(items.some((x) => x.startsWith('old')) && items.some((x) => x.startsWith('new'))).toBe(false);
  });
  it('[R7] [R23] a confirmed term is not displaced by a same-number rival that no majority saw (seeds 30201, 63115)', () => {
    const ids = ['a', 'b', 'c'];
    const shard = shardWhere(ids, (r) => r('a') === 0 && r('b') === 1);
    const h = harness(22, shard);
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 22').toBeUndefined();
    const a = h.room('a');
    expect(a.isCzar(shard)).toBe(true);
    const commits: number[] = [];
    a.on('trace', (e) => {
      if (e.type === 'commit' && e.shard === shard) commits.push(e.seq);
    });
    h.write('a', 'w1');
    h.c.run(500);
    expect(commits.length, 'seed 22: committed once confirmed and acked').toBeGreaterThan(0);
    const held = h.room('b').termOf(shard)!;
    expect(held.czar).toBe('a');
    // A peer cut off from the room ('y' ranks above 'a') claimed the same number moments before it
    // noticed the cut; its opening snapshot reaches b, which holds a's confirmed term.
    const rival = new ShardWriter(new Log()).encodeSnapshot();
    const engine = (h.room('b') as unknown as { engine: { handle(from: string, channel: string, m: unknown): void } }).engine;
    engine.handle('y', 'control', { type: 'shard-snapshot', shard, term: held.term, czar: 'y', writer: 0x5eed, seq: 0, flags: 0, payload: rival });
    engine.handle('y', 'control', { type: 'shard-digest', flags: 0, entries: [{ shard, term: held.term, czar: 'y', writer: 0x5eed, seq: 0, held: 1 }] });
    expect(h.room('b').termOf(shard)!.czar, 'seed 22: the confirmed term stays').toBe('a');
    expect(h.items('b')).toEqual(['w1']);
    // The confirmed term's own czar does not step down either.
    const ae = (a as unknown as { engine: { handle(from: string, channel: string, m: unknown): void } }).engine;
    ae.handle('y', 'control', { type: 'shard-snapshot', shard, term: held.term, czar: 'y', writer: 0x5eed, seq: 0, flags: 0, payload: rival });
    expect(a.isCzar(shard)).toBe(true);
    h.write('a', 'w2');
    expect(h.c.settle(5_000, 50), 'seed 22').toBeUndefined();
    for (const id of ids) expect(h.items(id), id).toEqual(['w1', 'w2']);
  });

  it('[R23] only acks from a backup that knows the term is confirmed commit', () => {
    const ids = ['a', 'b', 'c'];
    const shard = shardWhere(ids, (r) => r('a') === 0 && r('b') === 1);
    const h = harness(23, shard);
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 23').toBeUndefined();
    const a = h.room('a');
    const internals = a as unknown as { engine: { handle(from: string, channel: string, m: unknown): void; slots: Map<string, { epoch: { term: number; tag: number } }> } };
    const epoch = internals.engine.slots.get(shard)!.epoch;
    const commits: number[] = [];
    a.on('trace', (e) => {
      if (e.type === 'commit' && e.shard === shard) commits.push(e.seq);
    });
    // b, the first backup, is cut off: only the acks injected below reach a.
    h.c.net.partition(['a', 'c'], ['b']);
    h.write('a', 'w1');
    h.c.run(100);
    const seq = a.termOf(shard)!.seq;
    expect(commits).toEqual([]);
    const ack = (flags: number) => internals.engine.handle('b', 'state', { type: 'ack', shard, term: epoch.term, writer: epoch.tag, seq, flags });
    ack(1); // a vote, from a peer that does not know the term is confirmed
    expect(commits, 'seed 23').toEqual([]);
    ack(2); // knows it is confirmed
    expect(commits, 'seed 23').toEqual([seq]);
  });

  it('[R26] a peer that regains a majority opens no term for stableViewMs: its view is still merging (seeds 93249, 91210)', () => {
    const ids = ['a', 'b', 'c'];
    const shard = shardWhere(ids, (r) => r('c') === 0 && r('b') === 1);
    const h = harness(24, shard);
    for (const id of ids) h.add(id, ids);
    expect(h.c.settle(5_000, 50), 'seed 24').toBeUndefined();
    const b = h.room('b');
    const events: Array<{ type: string; at: number }> = [];
    b.on('trace', (e) => {
      if ((e.type === 'status' && e.status === 'ok') || (e.type === 'claim' && e.shard === shard)) events.push({ type: e.type, at: h.c.net.now() });
    });
    // b is cut off (degraded), the czar c crashes, then b gets back to a: a majority of three.
    h.c.net.partition(['b'], ['a', 'c']);
    h.c.run(2_500);
    expect(b.status()).toBe('degraded');
    h.c.crash('c');
    for (const id of ['a', 'b']) h.views.get(id)!.set(['a', 'b']);
    h.c.net.heal();
    expect(h.c.settle(10_000, 50), 'seed 24').toBeUndefined();
    expect(b.isCzar(shard)).toBe(true);
    const ok = events.find((e) => e.type === 'status');
    const claim = events.find((e) => e.type === 'claim');
    expect(ok && claim, 'seed 24').toBeTruthy();
    expect(claim!.at - ok!.at, 'seed 24: waited for the views to merge').toBeGreaterThanOrEqual(1_000);
  });

  it('[R12] [R25] an old czar whose successor vanished asks the room before taking its shard back: the room may have moved on while it was frozen (seed 23885)', () => {
    // y writes; j (the czar once listed) gets a's handoff and crashes before claiming; y freezes.
    const shard = shardRanked(['b', 'j', 'y'], ['j', 'y', 'b']);
    const h = harness(25, shard, { requireMajority: false });
    h.add('y', ['b']);
    h.add('b', ['y']);
    expect(h.c.settle(5_000, 50), 'seed 25').toBeUndefined();
    const y = h.room('y');
    expect(y.isCzar(shard), 'seed 25').toBe(true);
    h.write('y', 'w1');
    h.c.run(300);
    h.add('j', ['b', 'y']);
    h.c.run(1_500);
    h.views.get('y')!.set(['b', 'j']);
    h.c.crash('j');
    h.c.net.pause('y');
    h.clocks.get('y')!.pause();
    expect(y.termOf(shard)?.czar, 'seed 25: y handed off').toBe('y');
    // b drops its link to the frozen y; then its view drops y and j, and it takes over from its
    // replica and writes: y hears nothing of it.
    h.c.run(2_000);
    h.views.get('b')!.set([]);
    h.c.run(4_000);
    const b = h.room('b');
    expect(b.isCzar(shard), 'seed 25').toBe(true);
    h.write('b', 'w2');
    h.c.run(300);
    // y wakes: j is gone from its view, and its link to b (which b dropped) looks open for a while.
    h.views.get('y')!.set(['b']);
    h.c.net.resume('y');
    h.clocks.get('y')!.resume();
    h.c.run(2_500);
    h.views.get('b')!.set(['y']);
    h.c.run(8_000);
    expect(h.c.checker.violations, 'seed 25').toEqual([]);
    expect(h.items('b'), 'seed 25: b’s write survives').toEqual(['w1', 'w2']);
    expect(h.items('y'), 'seed 25').toEqual(['w1', 'w2']);
  });

  it('[R25] a takeover of a term nobody holds starts from the highest older replica a member holds, not from nothing (seed 3789)', () => {
    // a writes; c takes the shard over by handoff (term 2) and only a gets c's opening snapshot:
    // b, cut off from c, holds term 1 and has only heard of term 2. Then a and c crash, and s,
    // a newcomer holding nothing, is the czar by the view.
    const ids = ['a', 'b', 'c', 's'];
    const shard = shardWhere(ids, (r) => r('c') < r('a') && r('a') < r('b') && r('s') < r('b'));
    const h = harness(26, shard, { requireMajority: false });
    h.c.net.setLinkBoth('b', 'c', { loss: 1 });
    h.add('a', ['b']);
    h.add('b', ['a']);
    expect(h.c.settle(5_000, 50), 'seed 26').toBeUndefined();
    expect(h.room('a').isCzar(shard), 'seed 26').toBe(true);
    h.write('a', 'w1');
    h.c.run(300);
    h.add('c', ['a', 'b']);
    h.c.run(500);
    h.views.get('a')!.set(['b', 'c']);
    h.c.run(1_500);
    expect(h.room('c').isCzar(shard), 'seed 26').toBe(true);
    expect(h.room('b').termOf(shard)?.term, 'seed 26: b holds term 1 only').toBe(1);
    h.c.crash('c');
    h.c.crash('a');
    h.views.get('b')!.set(['s']);
    h.add('s', ['b']);
    h.c.run(10_000);
    const s = h.room('s');
    expect(s.isCzar(shard), 'seed 26').toBe(true);
    expect(s.termOf(shard)!.term, 'seed 26: numbered past the term nobody holds').toBeGreaterThan(2);
    expect(h.items('s'), 'seed 26: b’s replica of term 1 survives').toEqual(['w1']);
    expect(h.items('b'), 'seed 26').toEqual(['w1']);
  });
});

describe('ReplicationEngine: view changes', () => {
  it('[R32] joins are batched for 50 ms into one view change; a departure is acted on at once, with the joins held back', () => {
    const ids = ['a', 'b', 'c', 'd'];
    // d ranks first, then c, b, a: each joiner becomes czar when the view takes it in.
    const shard = shardRanked(ids, ['d', 'c', 'b', 'a']);
    const h = harness(32, shard);
    h.add('a', []);
    h.c.run(500);
    const a = h.room('a');
    const view = h.views.get('a')!;
    expect(a.czarOf(shard)).toBe('a');
    view.set(['b']);
    h.c.run(20);
    view.set(['b', 'c']);
    expect(a.czarOf(shard), 'joins wait').toBe('a');
    h.c.run(30);
    expect(a.czarOf(shard), 'both joins in one change, 50 ms after the first').toBe('c');
    view.set(['b', 'c', 'd']);
    h.c.run(10);
    expect(a.czarOf(shard)).toBe('c');
    // c leaves while d's join waits: acted on at once, d included.
    view.set(['b', 'd']);
    expect(a.czarOf(shard), 'a departure is not held back').toBe('d');
    view.set(['b']);
    expect(a.czarOf(shard)).toBe('b');
    // A change of standby is not held back either.
    view.set(['b'], ['b']);
    expect(a.czarOf(shard)).toBe('a');
  });
});
