/**
 * The game over real `Room`s on the SDK's simulated network (virtual clock, seeded): joining,
 * replication of fleets, orders across sector borders, hand-offs and a czar crash.
 */
import { SimNetwork } from '@anarchy/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Room } from '@anarchy/sdk';
import { GAMEPLAY_SIDE } from '../game/constants.js';
import { SECTORS, sectorAt } from '../game/galaxy.js';
import { GameSession, ROOM_INTEREST } from './session.js';

interface Peer {
  id: string;
  room: Room;
  session: GameSession;
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GameSession on the simulated network', () => {
  let net: SimNetwork | undefined;
  afterEach(() => net?.dispose());

  const setup = (seed: number, names: string[], fleet = 6, interest = false): { net: SimNetwork; peers: Peer[]; advance: (ms: number) => Promise<void> } => {
    const n = new SimNetwork({ seed, defaultLink: { latencyMs: 20, jitterMs: 10 } });
    net = n;
    const peers = names.map((id, i) => {
      const room = Room.create({ transport: n.join(id), clock: n.clock, ...(interest ? { interest: ROOM_INTEREST } : {}) });
      const session = new GameSession({ room, clock: n.clock, fleet, profile: { playerId: `pl${i}`, name: id, colour: '#ff0000' } });
      session.start();
      return { id, room, session };
    });
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 20) {
        n.run(20);
        await flush();
      }
    };
    return { net: n, peers, advance };
  };

  /** Starting-fleet ship ids a peer sees (each once, by the newest copy); planets may build more. */
  const ships = (p: Peer): string[] => {
    const w = p.session.refresh();
    return w.ids.filter((id) => id.startsWith('pl')).sort();
  };

  it('joins three players whose fleets every peer sees', async () => {
    const { peers, advance } = setup(7, ['a', 'b', 'c']);
    await advance(2_500);
    const joins = peers.map((p) => p.session.join());
    let done = false;
    void Promise.all(joins).then(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) await advance(100);
    expect(done, 'seed 7: every join resolved').toBe(true);
    await advance(1_000);
    for (const p of peers) expect(ships(p)).toHaveLength(18);
    expect(ships(peers[1]!)).toEqual(ships(peers[0]!));
    const homes = await Promise.all(joins);
    expect(new Set(homes.map((h) => h.home)).size).toBe(3);
  });

  it('flies a fleet across sector borders without losing or duplicating a ship, through a czar crash', async () => {
    const { net: n, peers, advance } = setup(11, ['a', 'b', 'c', 'd'], 8);
    await advance(2_500);
    let done = false;
    void Promise.all(peers.map((p) => p.session.join())).then(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) await advance(100);
    expect(done, 'seed 11: joins resolved').toBe(true);
    await advance(1_000);
    const all = ships(peers[0]!);
    expect(all).toHaveLength(32);

    // Player 0 sends its fleet two sectors east; the order goes to its home sector's czar.
    const a = peers[0]!;
    const kinds: string[] = [];
    a.session.events.on('log', (e) => kinds.push(e.kind));
    const start = a.session.welcome!;
    // Two sectors towards the centre (every start is in an outer sector).
    const dir = start.x < 0 ? 1 : -1;
    const target = { x: start.x + dir * 2 * GAMEPLAY_SIDE, y: start.y };
    const mine = all.filter((id) => id.startsWith('pl0.'));
    let took = -1;
    void a.session.order(mine, target.x, target.y).then((n2) => (took = n2));
    await advance(1_000);
    expect(took).toBe(8);

    // Halfway, crash a peer that writes a sector on the way (not player 0's own peer).
    await advance(12_000);
    const onTheWay = sectorAt(start.x + dir * GAMEPLAY_SIDE, start.y)!.key;
    const victim = peers.find((p) => p !== a && p.room.isCzar(onTheWay)) ?? peers.find((p) => p !== a)!;
    n.crash(victim.id);
    victim.session.stop();
    const live = peers.filter((p) => p !== victim);
    await advance(30_000);

    for (const p of live) expect(ships(p), `seed 11: ${p.id} sees every ship once`).toEqual(all);
    const w = a.session.positionsAt();
    const arrivedAt = new Set(mine.map((id) => SECTORS[w.sector[w.indexOf(id)]!]!.key));
    expect([...arrivedAt]).toEqual([sectorAt(target.x, target.y)!.key]);
    expect(kinds.filter((k) => k === 'handoff').length, 'seed 11: hand-offs were logged').toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === 'failover').length, 'seed 11: the crash caused failovers').toBeGreaterThan(0);
    // Each live peer holds the same state for every shard.
    for (const shard of a.room.shards()) {
      const hashes = new Set(live.map((p) => p.room.stateHash(shard)));
      expect(hashes.size, `seed 11: ${shard} converged`).toBe(1);
    }
  }, 60_000);

  it('with interest on, a player receives the sectors it looks at and catches up on the others when it looks', async () => {
    const seed = 5;
    // Five peers: a czar and its two backups receive a sector whatever they declare ([I1]), so a
    // peer can miss a sector only in rooms of more than three.
    const { peers, advance } = setup(seed, ['a', 'b', 'c', 'd', 'e'], 6, true);
    await advance(2_500);
    let done = false;
    void Promise.all(peers.map((p) => p.session.join())).then(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) await advance(100);
    expect(done, `seed ${seed}: joins resolved`).toBe(true);
    await advance(1_000);
    // An observer a and another player whose home sector is outside a's succession (a is neither
    // its czar nor a backup, nor writing it): only such a sector can be missed by a.
    const homeOf = (p: (typeof peers)[number]): string => sectorAt(p.session.welcome!.x, p.session.welcome!.y)!.key;
    const inSuccession = (p: (typeof peers)[number], key: string): boolean =>
      p.room.isCzar(key) || p.room.czarOf(key) === p.room.self || p.room.backupsOf(key).includes(p.room.self);
    const pair = peers.flatMap((x) => peers.filter((q) => q !== x && homeOf(q) !== homeOf(x) && !inSuccession(x, homeOf(q))).map((q) => [x, q] as const))[0];
    expect(pair, `seed ${seed}: some player's home sector is outside another's succession`).toBeDefined();
    const [a, other] = pair!;
    // a looks at its own home sector only.
    const home = a.session.welcome!;
    a.session.setView({ minX: home.x - 100, minY: home.y - 100, maxX: home.x + 100, maxY: home.y + 100 });
    expect(a.session.interest(), `seed ${seed}: a declares its home`).toContain(homeOf(a));
    await advance(1_000);
    const far = homeOf(other);
    expect(inSuccession(a, far), `seed ${seed}: ${far} still outside a's succession`).toBe(false);
    expect(a.session.interest(), `seed ${seed}: a does not declare ${far}`).not.toContain(far);
    // Its owner moves its fleet there: a's replica of that sector does not follow.
    const before = a.room.stateHash(far);
    const theirs = ships(other).filter((id) => id.startsWith(`${other.session.profile.playerId}.`));
    expect(theirs.length, `seed ${seed}: ${other.id} has a fleet`).toBeGreaterThan(0);
    let took = -1;
    void other.session.order(theirs, other.session.welcome!.x + 200, other.session.welcome!.y + 150).then((n2) => (took = n2));
    await advance(3_000);
    expect(took, `seed ${seed}: the order was taken`).toBe(theirs.length);
    expect(other.room.stateHash(far), `seed ${seed}: the fleet moved`).not.toBe(before);
    expect(a.room.stateHash(far), `seed ${seed}: a did not receive ${far}`).toBe(before);
    // Zoomed out to the whole galaxy: every sector, and a catches up.
    a.session.setView('all');
    await advance(3_000);
    expect(a.session.interest()).toHaveLength(SECTORS.length);
    for (const s of SECTORS) expect(a.room.stateHash(s.key), `seed ${seed}: a caught up on ${s.key}`).toBe(other.room.stateHash(s.key));
  }, 60_000);
});
