/**
 * `SectorWorld` on the simulated network ([S20]–[S26]): thousands of units wander across sector
 * borders while czars crash and peers join; after every step no unit is lost and none is in two
 * sectors ([S23]). Seeds are printed in every assertion.
 */
import { describe, expect, it } from 'vitest';
import { Room } from '../room.js';
import { SimNetwork } from '../transport/sim/index.js';
import { SeededRng, randomInt, type Rng } from '../util/rng.js';
import { census } from './world-check.node.js';
import { SectorWorld, type SectorWorldOptions } from './world.js';
import { regionShard, type SectorState } from './world-state.js';
import { key, sector } from './sector.js';
import { homeOf, sectorPlacement, withHome } from './placement.js';
import { ConnectionBudget, randomMesh } from '../transport/mesh.js';
import { MAX_INTEREST_SHARDS } from '../replication/interest-wire.js';

const SIDE = 400;
const WORLD = { sectorSize: 50, bounds: { minX: 0, minY: 0, maxX: SIDE, maxY: SIDE }, regionScale: 2, leafScale: 1 } as const;
const ROOM = { tickMs: 200, bootstrapMs: 300, antiEntropyMs: 500, graceMs: 1_000, repairRetryMs: 150, handoffRetryMs: 200, interest: true, leaveOnHide: false } as const;

interface Sim {
  readonly net: SimNetwork;
  readonly worlds: SectorWorld[];
  readonly rngs: Map<SectorWorld, Rng>;
  add(id: string): SectorWorld;
  crash(w: SectorWorld): void;
  live(): SectorWorld[];
}

function simulation(seed: number, world: Partial<SectorWorldOptions> = {}, viewFraction = 8): Sim {
  const net = new SimNetwork({
    seed,
    defaultLink: { latencyMs: 20, jitterMs: 10, loss: 0.02 },
    transport: { keepAliveMs: 250, peerTimeoutMs: 1_500, redialMs: 250 },
  });
  const rng = new SeededRng(seed ^ 0x51ab);
  const worlds: SectorWorld[] = [];
  const rngs = new Map<SectorWorld, Rng>();
  const sim: Sim = {
    net,
    worlds,
    rngs,
    add(id) {
      const room = Room.create({ ...ROOM, transport: net.join(id), clock: net.clock, rng: rng.fork() });
      const w = SectorWorld.create({ ...WORLD, tickMs: 200, ...world, room, clock: net.clock });
      // Each peer watches a small part of the world somewhere.
      const x = randomInt(rng, SIDE / 2);
      const y = randomInt(rng, SIDE / 2);
      w.setView({ minX: x, minY: y, maxX: x + SIDE / viewFraction, maxY: y + SIDE / viewFraction });
      worlds.push(w);
      rngs.set(w, rng.fork());
      return w;
    },
    crash(w) {
      net.crash(w.room.self);
      (w.room as unknown as { engine: { stop(): void } }).engine.stop();
      w.dispose();
    },
    live: () => worlds.filter((w) => !w.room.closed && net.transport(w.room.self)?.closed === false),
  };
  return sim;
}

/** One step of wandering: a seeded random walk pulled toward a point that circles the world. */
function wander(sim: Sim, step: number, speed: number, pull = 0.6, stay = 0.6): void {
  const a = step / 40;
  const cx = SIDE / 2 + (SIDE / 3) * Math.cos(a);
  const cy = SIDE / 2 + (SIDE / 3) * Math.sin(a);
  for (const w of sim.live()) {
    const rng = sim.rngs.get(w)!;
    w.moveUnits((u) => {
      if (rng.next() < stay) return undefined;
      const dx = cx - u.x;
      const dy = cy - u.y;
      const d = Math.hypot(dx, dy) || 1;
      const x = u.x + speed * ((rng.next() * 2 - 1) * 1.5 + (pull * dx) / d);
      const y = u.y + speed * ((rng.next() * 2 - 1) * 1.5 + (pull * dy) / d);
      return { x: Math.min(SIDE - 0.01, Math.max(0, x)), y: Math.min(SIDE - 0.01, Math.max(0, y)) };
    });
  }
}

function expectConserved(sim: Sim, expected: ReadonlySet<string>, seed: number, when: string): ReturnType<typeof census> {
  const c = census(sim.worlds, expected);
  const where = `seed ${seed}, ${when}`;
  expect(c.duplicates, `${where}: units in two sectors`).toEqual([]);
  expect(c.missing, `${where}: units lost`).toEqual([]);
  expect(c.unexpected, where).toEqual([]);
  expect(c.placed + c.pending, where).toBe(expected.size);
  return c;
}

function populate(sim: Sim, units: number, seed: number): Set<string> {
  const rng = new SeededRng(seed ^ 0xfeed);
  const expected = new Set<string>();
  const owners = ['red', 'blue', 'green', 'gold'];
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < units; i++) {
    const id = `u${i}`;
    expected.add(id);
    const x = rng.next() * SIDE;
    const y = rng.next() * SIDE;
    // Spawned by the sector's czar: applied at once, no action in flight.
    const at = sim.worlds[0]!.sectorAt(x, y)!;
    const spawner = sim.worlds.find((w) => w.holds(`s${at.scale}:${at.x},${at.y}`) && w.room.isCzar(`s${at.scale}:${at.x},${at.y}`)) ?? sim.worlds[0]!;
    pending.push(spawner.spawn(id, x, y, owners[i % owners.length]!).catch(() => undefined));
  }
  // The virtual clock only moves when run: wait by running it, not by awaiting.
  for (let i = 0; i < 40 && census(sim.worlds, expected).missing.length > 0; i++) sim.net.run(250);
  void Promise.all(pending);
  return expected;
}

describe('SectorWorld', () => {
  it.each([1, 3, 42])('[S20] [S21] a fresh world tiles its regions, and every active sector and region has its czar and backups holding it (seed %i)', (seed) => {
    const sim = simulation(seed);
    for (let i = 0; i < 6; i++) sim.add(`p${i}`);
    sim.net.run(4_000);
    const w = sim.worlds[0]!;
    const active = w.activeSectors().map((s) => `s${s.scale}:${s.x},${s.y}`);
    expect(active).toHaveLength(16);
    for (const shard of active) {
      // Without rebalancing only active sectors can hold units, so only they are taken on ([S21]).
      const holders = sim.worlds.filter((x) => x.holds(shard));
      expect(holders.length, `seed ${seed}, ${shard}`).toBeGreaterThanOrEqual(3);
      const czar = holders.find((x) => x.room.isCzar(shard));
      expect(czar, `seed ${seed}, ${shard} has no czar`).toBeDefined();
      for (const b of czar!.room.backupsOf(shard)) expect(sim.worlds.find((x) => x.room.self === b)!.holds(shard), `seed ${seed}, backup ${b} of ${shard}`).toBe(true);
    }
    for (const r of [sector(0, 0, 2), sector(1, 1, 2)]) expect(sim.worlds.filter((x) => x.holds(regionShard(r))).length, `seed ${seed}`).toBeGreaterThanOrEqual(3);
    expect(w.sectorAt(0, 0)).toEqual(sector(0, 0, 1));
    expect(w.sectorAt(SIDE, 0)).toBeUndefined();
    sim.net.dispose();
  });

  it('[S22] [S23] 2,000 units wander across borders while czars crash and peers join: none lost, none doubled, checked every step', () => {
    for (const seed of [20_251_124]) {
      const sim = simulation(seed);
      for (let i = 0; i < 8; i++) sim.add(`p${i}`);
      sim.net.run(3_000);
      const expected = populate(sim, 2_000, seed);
      expectConserved(sim, expected, seed, 'after spawning');
      const rng = new SeededRng(seed ^ 0xc4a5);
      let crashes = 0;
      let joins = 0;
      const czarsCrashed = new Set<string>();
      let czarCrashes = 0;
      for (let step = 0; step < 60; step++) {
        wander(sim, step, 8);
        sim.net.run(500);
        if (step % 15 === 7) {
          // Crash the czar of a busy sector: its hand-offs are the likeliest to be mid-way.
          const live = sim.live();
          // Summaries as the whole room knows them: a peer holds only the regions it needs ([S21]).
          const counts = new Map(live.flatMap((w) => [...w.summaries()]));
          const busy = live[0]!.sectorShards().sort((a, b) => (counts.get(b)?.count ?? 0) - (counts.get(a)?.count ?? 0))[randomInt(rng, 3)]!;
          const victim = live.find((w) => w.holds(busy) && w.room.isCzar(busy)) ?? live[randomInt(rng, live.length)]!;
          if (victim.holds(busy) && victim.room.isCzar(busy)) {
            czarsCrashed.add(busy);
            czarCrashes++;
          }
          sim.crash(victim);
          crashes++;
        }
        if (step % 15 === 12) sim.add(`late${joins++}`);
        expectConserved(sim, expected, seed, `step ${step}`);
      }
      // Quiet: every transfer settles and every unit sits in the active sector holding it.
      for (let i = 0; i < 10; i++) {
        sim.net.run(1_000);
        expectConserved(sim, expected, seed, `settling, ${i} s`);
      }
      const final = expectConserved(sim, expected, seed, 'after settling');
      expect(final.outbox, `seed ${seed}: transfers still pending`).toBe(0);
      expect(final.pending, `seed ${seed}`).toBe(0);
      expect(final.misplaced, `seed ${seed}: units outside their sector`).toBe(0);
      const total = (k: keyof SectorWorld['stats']): number => sim.worlds.reduce((n, w) => n + w.stats[k], 0);
      expect(crashes).toBe(4);
      // Which busy sectors the crashes hit depends on timing: count the crashes that hit a czar.
      expect(czarCrashes, `seed ${seed}: the crashes hit czars of busy sectors`).toBeGreaterThanOrEqual(3);
      expect(czarsCrashed.size, `seed ${seed}: of more than one sector`).toBeGreaterThanOrEqual(2);
      expect(total('transfersSettled'), `seed ${seed}`).toBeGreaterThan(2_000);
      expect(total('duplicatesIgnored'), `seed ${seed}: resent transfers were recognised`).toBeGreaterThan(0);
      sim.net.dispose();
    }
  }, 120_000);

  it('[S22] a transfer resent before the source settled it, arriving after the destination forgot it, is not applied again', () => {
    // Seed 20251124 of the 2,000-unit test: a resend waited behind control-channel retransmissions
    // while the source's settle mark reached the destination by gossip, which then forgot the id;
    // the unit had meanwhile moved on, so the late resend put it in two sectors. Here the late
    // resend is replayed by hand once the transfer settled and the unit moved back.
    const seed = 5;
    const A = 's1:0,0';
    const B = 's1:1,0';
    const sim = simulation(seed);
    for (let i = 0; i < 4; i++) sim.add(`p${i}`);
    sim.net.run(3_000);
    const czarOf = (s: string): SectorWorld => {
      const w = sim.live().find((x) => x.holds(s) && x.room.isCzar(s));
      expect(w, `seed ${seed}: ${s} has a czar`).toBeDefined();
      return w!;
    };
    const expected = new Set(['u']);
    czarOf(A).spawn('u', 90, 25, 'red').catch(() => undefined);
    sim.net.run(1_000);
    expectConserved(sim, expected, seed, 'spawned');
    // Record the transfers A's czar sends to B.
    const source = czarOf(A);
    const act = source.room.act.bind(source.room);
    const sent: unknown[] = [];
    source.room.act = ((shard: string, action: unknown, options?: Parameters<typeof act>[2]) => {
      if (shard === B && (action as { op?: unknown }).op === 'in') sent.push(action);
      return act(shard, action, options);
    }) as typeof act;
    const moveTo = (x: number, y: number): void => {
      for (const w of sim.live()) w.moveUnits((u) => (u.id === 'u' ? { x, y } : undefined));
    };
    const settled = (shard: string): boolean => {
      const w = czarOf(shard);
      const st = w.room.state<SectorState>(shard);
      return st.outbox.size === 0 && st.received.size === 0;
    };
    const settle = (when: string): void => {
      // At least once: the hand-off starts at the czar's next duty tick.
      for (let i = 0; i < 80 && (i === 0 || !(settled(A) && settled(B))); i++) {
        sim.net.run(500);
        expectConserved(sim, expected, seed, when);
      }
      expect(settled(A) && settled(B), `seed ${seed}: ${when}: transfers settled and forgotten`).toBe(true);
    };
    moveTo(110, 25);
    settle('moved into B');
    expect(czarOf(B).room.state<SectorState>(B).units.has('u'), `seed ${seed}`).toBe(true);
    expect(sent.length, `seed ${seed}: A's czar sent the transfer`).toBeGreaterThan(0);
    moveTo(90, 25);
    settle('moved back into A');
    expect(czarOf(A).room.state<SectorState>(A).units.has('u'), `seed ${seed}`).toBe(true);
    // The late resend of the first transfer.
    const ignoredBefore = czarOf(B).stats.duplicatesIgnored;
    act(B, sent[0]).catch(() => undefined);
    for (let i = 0; i < 6; i++) {
      sim.net.run(500);
      expectConserved(sim, expected, seed, `after the late resend, ${i * 500} ms`);
    }
    expect(czarOf(B).stats.duplicatesIgnored, `seed ${seed}: the late resend was recognised`).toBe(ignoredBefore + 1);
    // An id the destination does not hold is judged by its replica of the source: behind the
    // point the send names, it is deferred; at or past it, an entry the source does not hold
    // (any more) is never applied.
    const at = source.room.termOf(A)!;
    const probe = { op: 'in', tid: 'probe', from: A, term: at.term, czar: at.czar, unit: 'v', x: 110, y: 25, owner: 'red' };
    const deferredBefore = czarOf(B).stats.transfersDeferred;
    act(B, { ...probe, seq: at.seq + 1_000 }).catch(() => undefined);
    sim.net.run(500);
    expect(czarOf(B).stats.transfersDeferred, `seed ${seed}: a send past the replica waits`).toBe(deferredBefore + 1);
    act(B, { ...probe, seq: at.seq }).catch(() => undefined);
    sim.net.run(500);
    expect(czarOf(B).stats.duplicatesIgnored, `seed ${seed}: a send the source does not hold is not applied`).toBe(ignoredBefore + 2);
    expect(czarOf(B).room.state<SectorState>(B).units.has('v'), `seed ${seed}`).toBe(false);
    expect(czarOf(B).room.state<SectorState>(B).received.has('probe'), `seed ${seed}`).toBe(false);
    sim.net.dispose();
  });

  it('[S22] [S23] seed sweep: units wander while two czars of busy sectors crash and a peer joins, none lost or doubled at any step', () => {
    // Seeds 1..SWEEP in order, every one checked: a failure names its seed (keep it as a named test).
    const SWEEP = Number(process.env['WORLD_SWEEP_SEEDS'] ?? 20);
    let czarCrashes = 0;
    for (let seed = 1; seed <= SWEEP; seed++) {
      const sim = simulation(seed);
      for (let i = 0; i < 5; i++) sim.add(`p${i}`);
      sim.net.run(2_500);
      const expected = populate(sim, 160, seed);
      expectConserved(sim, expected, seed, 'after spawning');
      const rng = new SeededRng(seed ^ 0x5eed);
      for (let step = 0; step < 12; step++) {
        wander(sim, step * 3, 10);
        sim.net.run(500);
        if (step === 2 || step === 7) {
          const live = sim.live();
          // Summaries as the whole room knows them: a peer holds only the regions it needs ([S21]).
          const counts = new Map(live.flatMap((w) => [...w.summaries()]));
          const busy = live[0]!.sectorShards().sort((a, b) => (counts.get(b)?.count ?? 0) - (counts.get(a)?.count ?? 0))[randomInt(rng, 3)]!;
          const czar = live.find((w) => w.holds(busy) && w.room.isCzar(busy));
          if (czar) czarCrashes++;
          sim.crash(czar ?? live[randomInt(rng, live.length)]!);
        }
        if (step === 4) sim.add(`late${seed}`);
        expectConserved(sim, expected, seed, `step ${step}`);
      }
      for (let i = 0; i < 6; i++) {
        sim.net.run(1_000);
        expectConserved(sim, expected, seed, `settling, ${i} s`);
      }
      const final = expectConserved(sim, expected, seed, 'after settling');
      expect(final.outbox, `seed ${seed}: transfers still pending`).toBe(0);
      expect(final.misplaced, `seed ${seed}: units outside their sector`).toBe(0);
      expect(sim.worlds.reduce((n, w) => n + w.stats.transfersSettled, 0), `seed ${seed}: units crossed borders`).toBeGreaterThan(50);
      sim.net.dispose();
    }
    // The crashes hit czars of busy sectors (hand-offs mid-way), not bystanders.
    expect(czarCrashes, 'czars among the crashed peers').toBeGreaterThan(SWEEP);
  }, 120_000);

  it('[S21] a peer that looks elsewhere withdraws the sectors it no longer needs, and what it holds stays bounded', () => {
    const seed = 21;
    const sim = simulation(seed);
    for (let i = 0; i < 6; i++) sim.add(`p${i}`);
    sim.net.run(3_000);
    const expected = populate(sim, 300, seed);
    const mover = sim.worlds[0]!;
    const everHeld = new Set(mover.room.shards());
    // Sweep the view across the world, one corner after another.
    for (const [x, y] of [[0, 0], [SIDE / 2, 0], [SIDE / 2, SIDE / 2], [0, SIDE / 2], [0, 0]] as const) {
      mover.setView({ minX: x, minY: y, maxX: x + SIDE / 8, maxY: y + SIDE / 8 });
      for (let i = 0; i < 15; i++) {
        wander(sim, i, 4);
        sim.net.run(1_000);
      }
      expectConserved(sim, expected, seed, `view at ${x},${y}`);
      for (const k of mover.room.shards()) everHeld.add(k);
    }
    expect(mover.stats.shardsWithdrawn, `seed ${seed}`).toBeGreaterThan(0);
    // What it holds now: its view (and neighbours), its succession, its transfers — not the whole sweep.
    const held = mover.room.shards();
    expect(held.length, `seed ${seed}: holds ${held.length} of the ${everHeld.size} shards it ever held`).toBeLessThan(everHeld.size);
    for (const k of mover.watched()) expect(held, `seed ${seed}: watched ${k}`).toContain(k);
    for (const k of held) expect(mover.holds(k), `seed ${seed}: ${k}`).toBe(true);
    for (const k of mover.room.shards()) expect(() => mover.room.state(k), `seed ${seed}: ${k}`).not.toThrow();
    sim.net.dispose();
  });

  it('[S27] with homes placed and a connection budget, peers hang up what they do not need: under the cap, czars still reached, nobody dropped, units conserved', () => {
    const seed = 27;
    const net = new SimNetwork({ seed, defaultLink: { latencyMs: 20, jitterMs: 10, loss: 0.02 }, transport: { keepAliveMs: 250, peerTimeoutMs: 1_500, redialMs: 250 } });
    const rng = new SeededRng(seed ^ 0x51ab);
    const placement = sectorPlacement();
    const cap = 6;
    const worlds: SectorWorld[] = [];
    const budgets: ConnectionBudget[] = [];
    // 16 players, one home per leaf sector (scale 1, 100 units a side): a full mesh at first. A
    // partial mesh never reaches a majority of the room, so the majority rule is off ([R26]), and
    // SWIM watches only the members it is connected to ([M10]).
    for (let i = 0; i < 16; i++) {
      const home = sector(i % 4, Math.floor(i / 4), 1);
      const room = Room.create({ ...ROOM, requireMajority: false, swim: { probeUnconnected: 0 }, transport: net.join(withHome(`p${i}`, home)), clock: net.clock, rng: rng.fork(), placement });
      const budget = new ConnectionBudget(room.transport, cap, { graceMs: 1_000 });
      budgets.push(budget);
      const w = SectorWorld.create({ ...WORLD, tickMs: 200, room, clock: net.clock, budget });
      w.watch([home]);
      worlds.push(w);
    }
    const sim: Sim = { net, worlds, rngs: new Map(worlds.map((w) => [w, rng.fork()])), add: () => worlds[0]!, crash: () => undefined, live: () => worlds };
    net.run(3_000);
    const expected = populate(sim, 200, seed);
    expectConserved(sim, expected, seed, 'after populate');
    for (let i = 0; i < 20; i++) {
      wander(sim, i, 3);
      net.run(500);
    }
    expectConserved(sim, expected, seed, 'after pruning');
    const degrees = worlds.map((w) => w.room.transport.peers().length);
    expect(budgets.reduce((a, b) => a + b.hungUp, 0), `seed ${seed}`).toBeGreaterThan(0);
    // A full mesh at first (15 each); after pruning, a third fewer at least, and nobody at 15.
    expect(Math.max(...degrees), `seed ${seed}: connections per peer ${degrees.join(' ')}`).toBeLessThan(15);
    expect(degrees.reduce((a, b) => a + b, 0), `seed ${seed}: connections per peer ${degrees.join(' ')}`).toBeLessThanOrEqual((2 / 3) * 16 * 15);
    for (const w of worlds) {
      // Authority follows homes: the sector a peer lives in is its own to write ([S27]).
      const home = key(homeOf(w.room.self)!);
      expect(w.room.czarOf(home), `seed ${seed}: czar of ${home}`).toBe(w.room.self);
      // Everyone is still a member everywhere: a hang-up is no leave.
      expect(w.room.peers(), `seed ${seed}: ${w.room.self}'s view`).toHaveLength(16);
      // The czar of every sector it watches is still reached.
      for (const k of w.watched()) {
        const czar = w.room.czarOf(k);
        if (czar !== undefined && czar !== w.room.self) expect(w.room.transport.peers(), `seed ${seed}: ${w.room.self} → czar ${czar} of ${k}`).toContain(czar);
      }
    }
    net.dispose();
  }, 60_000);

  it('[S28] with scopeMembership each peer knows only the peers around it, yet every sector has one agreed czar, units are conserved, and connections settle', () => {
    const seed = 28;
    const net = new SimNetwork({ seed, defaultLink: { latencyMs: 20, jitterMs: 10, loss: 0.02 }, transport: { keepAliveMs: 250, peerTimeoutMs: 1_500, redialMs: 250 } });
    const rng = new SeededRng(seed ^ 0x51ab);
    const placement = sectorPlacement();
    const worlds: SectorWorld[] = [];
    const budgets: ConnectionBudget[] = [];
    // 64 players, one home per leaf sector (scale 0, 50 units a side, 8×8); regions of 2×2 leaves
    // (scale 1, 4×4 of them): a peer keeps the 3×3 regions around its own, not the whole room.
    const add = (i: number): void => {
      const home = sector(i % 8, Math.floor(i / 8), 0);
      const room = Room.create({ ...ROOM, requireMajority: false, swim: { probeUnconnected: 0 }, transport: net.join(withHome(`p${i}`, home), { mesh: randomMesh(2) }), clock: net.clock, rng: rng.fork(), placement });
      const budget = new ConnectionBudget(room.transport, 16, { graceMs: 1_000 });
      budgets.push(budget);
      const w = SectorWorld.create({ ...WORLD, regionScale: 1, leafScale: 0, tickMs: 200, room, clock: net.clock, budget, scopeMembership: true });
      w.watch([home]);
      worlds.push(w);
    };
    for (let i = 0; i < 16; i++) add(i);
    net.run(2_000);
    for (let i = 16; i < 64; i++) add(i);
    net.run(6_000);
    // A peer's core is the region of its home, of its view and of what it writes; it keeps the
    // regions around its core (and whoever it is connected to): a fraction of the room.
    const sizes = worlds.map((w) => w.room.peers().length);
    const mean = sizes.reduce((x, y) => x + y, 0) / sizes.length;
    expect(Math.max(...sizes), `seed ${seed}: view sizes ${sizes.join(' ')}`).toBeLessThan(64);
    expect(mean, `seed ${seed}: view sizes ${sizes.join(' ')}`).toBeLessThan(0.75 * 64);
    // One czar per sector; every holder whose view holds every peer placed near it names that czar.
    let checked = 0;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const shard = key(sector(x, y, 0));
        const holders = worlds.filter((w) => w.holds(shard));
        const czars = holders.filter((w) => w.room.isCzar(shard)).map((w) => w.room.self);
        expect(czars, `seed ${seed}: czars of ${shard}`).toHaveLength(1);
        const near = worlds.map((w) => w.room.self).filter((p) => Math.max(Math.abs(homeOf(p)!.x - x), Math.abs(homeOf(p)!.y - y)) <= 1);
        for (const h of holders) {
          if (!near.every((p) => h.room.peers().includes(p))) continue;
          checked++;
          expect(h.room.czarOf(shard), `seed ${seed}: ${h.room.self} on ${shard}`).toBe(czars[0]);
        }
      }
    }
    // Most holders know their sector's neighbourhood (those that do not are watchers of a border).
    expect(checked, `seed ${seed}`).toBeGreaterThan(3 * 64);
    const sim: Sim = { net, worlds, rngs: new Map(worlds.map((w) => [w, rng.fork()])), add: () => worlds[0]!, crash: () => undefined, live: () => worlds };
    const expected = populate(sim, 200, seed);
    expectConserved(sim, expected, seed, 'after populate');
    let settledHangUps = 0;
    for (let i = 0; i < 16; i++) {
      wander(sim, i, 4);
      net.run(500);
      expectConserved(sim, expected, seed, `step ${i}`);
      if (i === 7) settledHangUps = -budgets.reduce((a, b) => a + b.hungUp, 0);
    }
    // [S27] Both ends judge a connection by the same needs: few hang-ups once settled, and few
    // peers dialling back one that hung up on them (before: 179 hang-ups in the last 4 s, 276
    // re-dials; a loop of dial, hang-up, re-dial uses up a browser's ~500 connections).
    settledHangUps += budgets.reduce((a, b) => a + b.hungUp, 0);
    expect(settledHangUps, `seed ${seed}: hang-ups in the last 4 s`).toBeLessThan(worlds.length);
    expect(budgets.reduce((a, b) => a + b.redialled, 0), `seed ${seed}: re-dials after a hang-up`).toBeLessThan(worlds.length);
    net.dispose();
  }, 60_000);

  it('[S26] a peer that writes more of a sparse world than one announcement holds announces its view first and keeps running (10,000-peer bench, first wave)', () => {
    const seed = 2600;
    const net = new SimNetwork({ seed, defaultLink: { latencyMs: 20 } });
    const room = Room.create({ ...ROOM, transport: net.join('alone'), clock: net.clock, rng: new SeededRng(seed) });
    // 48×48 sectors and 144 regions, one player: it writes every one of them.
    const w = SectorWorld.create({ sectorSize: 50, bounds: { minX: 0, minY: 0, maxX: 2400, maxY: 2400 }, regionScale: 2, leafScale: 0, tickMs: 200, room, clock: net.clock });
    w.watch([sector(10, 10, 0)]);
    net.run(3_000);
    expect(w.holds('s0:47,47'), `seed ${seed}`).toBe(true);
    expect(w.stats.interestTrimmed, `seed ${seed}`).toBeGreaterThan(0);
    const announced = room.interestOf();
    expect(announced.length, `seed ${seed}`).toBe(MAX_INTEREST_SHARDS);
    for (const k of w.watched()) expect(announced, `seed ${seed}: ${k}`).toContain(k);
    net.dispose();
  });

  it('[S24] [S25] hot sectors split and cold ones merge while units move, still none lost or doubled', () => {
    const seed = 77;
    const sim = simulation(seed, { rebalance: { splitAbove: 60, mergeBelow: 25, coldRounds: 2, minScale: 0 }, rebalanceMs: 1_000, maxSectorsAcross: 3 });
    for (let i = 0; i < 6; i++) sim.add(`p${i}`);
    sim.net.run(3_000);
    const expected = populate(sim, 600, seed);
    for (let step = 0; step < 40; step++) {
      wander(sim, step * 4, 8, 1.2, 0.5);
      sim.net.run(500);
      if (step === 20) sim.crash(sim.live()[1]!);
      expectConserved(sim, expected, seed, `step ${step}`);
    }
    sim.net.run(6_000);
    const final = expectConserved(sim, expected, seed, 'after settling');
    expect(final.outbox, `seed ${seed}`).toBe(0);
    expect(final.misplaced, `seed ${seed}`).toBe(0);
    const w = sim.live()[0]!;
    const splits = sim.worlds.reduce((n, x) => n + x.stats.splits, 0);
    const merges = sim.worlds.reduce((n, x) => n + x.stats.merges, 0);
    expect(splits, `seed ${seed}`).toBeGreaterThan(0);
    expect(merges, `seed ${seed}`).toBeGreaterThan(0);
    // A zoomed-in view watches sectors and sees their units.
    w.setView({ minX: 0, minY: 0, maxX: SIDE / 4, maxY: SIDE / 4 });
    sim.net.run(1_500);
    expect(w.watched().length).toBeGreaterThan(0);
    expect(w.units().length, `seed ${seed}`).toBe(w.watched().reduce((n, k) => n + (w.summaries().get(k)?.count ?? 0), 0));
    // Zoomed out it watches no sector, only the summaries of the regions in view, which add up
    // to every unit ([S24]); the layout still tiles the world ([S20]).
    w.setView({ minX: 0, minY: 0, maxX: SIDE, maxY: SIDE });
    sim.net.run(1_500);
    expect(w.zoomedOut()).toBe(true);
    expect(w.watched()).toEqual([]);
    expect(w.units()).toEqual([]);
    const summed = [...w.summaries().values()].reduce((n, x) => n + x.count, 0);
    expect(summed, `seed ${seed}`).toBe(600);
    const area = w.activeSectors().reduce((a, l) => a + 4 ** l.scale, 0);
    expect(area).toBe(4 * 4 ** WORLD.regionScale);
    sim.net.dispose();
  }, 120_000);
});
