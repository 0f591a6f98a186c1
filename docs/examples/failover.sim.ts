import { schema, t } from '@colyseus/schema';
import { Room } from '@anarchy/sdk';
import { SeededRng, SimNetwork } from '@anarchy/sdk/testing';
import { settle } from './sim-helpers.js';

const Score = schema({ total: t.uint32().default(0) }, 'Score');
const net = new SimNetwork({ seed: 5, defaultLink: { latencyMs: 20 } });
const rng = new SeededRng(5);
const rooms = ['p1', 'p2', 'p3', 'p4'].map((id) => Room.create({ transport: net.join(id), clock: net.clock, rng: rng.fork() }));
for (const room of rooms) {
  room.declareShard('score', Score);
  // Writes this peer made as czar that the winning term does not contain: show them, don't hide them.
  room.on('rollback', (e) => console.warn(`${e.shard}: writes after seq ${e.lastSeq} of term ${e.term} were rolled back`));
}
net.run(2_000);
const czarOf = () => rooms.find((r) => !r.closed && r.isCzar('score'))!;

// A crash: the first backup takes over once the czar is known to be gone.
const first = czarOf();
const [backup] = first.backupsOf('score');
first.mutate<InstanceType<typeof Score>, void>('score', (s) => void (s.total = 42));
net.run(200); // the delta reaches every replica
net.crash(first.self);
const crashedAt = net.now();
net.runUntil(() => czarOf() !== first && czarOf() !== undefined, 30_000);
console.log(czarOf().self === backup, `${net.now() - crashedAt} ms`); // → true 5800 ms
net.run(500);
console.log(rooms.filter((r) => r !== first).map((r) => r.state<InstanceType<typeof Score>>('score').total).join(' ')); // → 42 42 42

// A graceful leave hands the shard over first: no detection delay, nothing lost.
const second = czarOf();
const leftAt = net.now();
await settle(net, second.leave());
net.runUntil(() => czarOf() !== undefined, 5_000);
console.log(`${net.now() - leftAt} ms`, czarOf().termOf('score')?.term); // → 70 ms 3
