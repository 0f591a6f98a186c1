/**
 * The game over real `Room`s on the SDK's simulated network (virtual clock, seeded): joining,
 * replication of fleets, orders across sector borders, hand-offs and a czar crash.
 */
import { SimNetwork } from '@anarchy/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Room } from '@anarchy/sdk';
import { GAMEPLAY_SIDE } from '../game/constants.js';
import { SECTORS, sectorAt } from '../game/galaxy.js';
import { GameSession } from './session.js';

interface Peer {
  id: string;
  room: Room;
  session: GameSession;
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GameSession on the simulated network', () => {
  let net: SimNetwork | undefined;
  afterEach(() => net?.dispose());

  const setup = (seed: number, names: string[], fleet = 6): { net: SimNetwork; peers: Peer[]; advance: (ms: number) => Promise<void> } => {
    const n = new SimNetwork({ seed, defaultLink: { latencyMs: 20, jitterMs: 10 } });
    net = n;
    const peers = names.map((id, i) => {
      const room = Room.create({ transport: n.join(id), clock: n.clock });
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
});
