import { schema, t } from '@colyseus/schema';
import { Room } from '@anarchy/sdk';
import { SeededRng, SimNetwork } from '@anarchy/sdk/testing';
import { settle } from './sim-helpers.js';

const Score = schema({ total: t.uint32().default(0) }, 'Score');
type Score = InstanceType<typeof Score>;
const net = new SimNetwork({ seed: 5, defaultLink: { latencyMs: 20 } });
const rng = new SeededRng(5);
const rooms = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => Room.create({ transport: net.join(id), clock: net.clock, rng: rng.fork(), playerId: id }));
for (const room of rooms) {
  room.declareShard('score', Score, { onAction: (s: Score, add: unknown) => void (s.total += Number(add)) });
  // Writes this peer made that the winning term may not contain: show them, don't hide them.
  room.on('rollback', (e) => console.warn(`${e.shard}: seq ${e.fromSeq}..${e.toSeq} of term ${e.term} may be lost`));
}
net.run(3_000);
const czarOf = () => rooms.find((r) => !r.closed && r.isCzar('score'))!;

// Commitment: a write is committed once the czar's first backup holds it; it then survives a crash.
const first = czarOf();
const [backup] = first.backupsOf('score');
first.mutate<Score, void>('score', (s) => void (s.total = 42));
await settle(net, first.whenCommitted('score'));
console.log(`committed after ${first.metrics().shards['score']!.committedSeq} deltas`); // → committed after 1 deltas

// A crash: SWIM notices (default 200 ms probe rounds), the first backup asks what every replica
// holds (one round trip) and takes over from the highest.
net.crash(first.self);
const crashedAt = net.now();
net.runUntil(() => czarOf() !== first && czarOf() !== undefined, 30_000);
console.log(czarOf().self === backup, `${Math.round(net.now() - crashedAt)} ms`); // → true 557 ms
net.run(500);
console.log(rooms.filter((r) => r !== first).map((r) => r.state<Score>('score').total).join(' ')); // → 42 42 42 42

// act({ commit: true }) resolves only once the effect is committed.
await settle(net, rooms[4]!.act('score', 8, { commit: true }));
console.log(czarOf().state<Score>('score').total); // → 50

// A graceful leave hands the shard over first: no detection delay, nothing lost.
const second = czarOf();
const leftAt = net.now();
await settle(net, second.leave());
net.runUntil(() => czarOf() !== undefined, 5_000);
console.log(`${Math.round(net.now() - leftAt)} ms`, czarOf().termOf('score')?.term); // → 70 ms 3

// A partition: the side without a majority of the room is read only until it heals.
net.run(2_000); // the view settles without the crashed and the departed peer
const live = rooms.filter((r) => !r.closed);
const [lone, ...rest] = live;
net.partition([lone!.self], rest.map((r) => r.self));
net.run(3_000);
console.log(lone!.status(), rest.map((r) => r.status()).join(' ')); // → degraded ok ok
// There a czar's mutate() throws and act() rejects with the code 'read-only'.
net.heal();
net.run(3_000);
console.log(live.map((r) => r.status()).join(' ')); // → ok ok ok
