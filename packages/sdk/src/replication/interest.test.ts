/**
 * Interest-scoped delivery ([I1]–[I5]): the table, the announcements over a simulated network, and
 * rooms whose shards reach only their audience.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { describe, expect, it } from 'vitest';
import { shardId } from '../authority/ids.js';
import { AuthorityView } from '../authority/view.js';
import { Room } from '../room.js';
import { SimNetwork } from '../transport/sim/index.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng } from '../util/rng.js';
import { InterestTable } from './interest.js';
import { InterestExchange, MAX_INTEREST_SHARDS } from './interest-wire.js';

const ids = (...names: string[]): PeerId[] => names.map(asPeerId);

describe('InterestTable', () => {
  const peers = ids('a', 'b', 'c', 'd', 'e', 'f');
  const view = new AuthorityView({ version: 1, peers });
  const shard = shardId('s0:1,2');

  it('[I1] the audience is the succession plus the interested members, sorted', () => {
    const table = new InterestTable(asPeerId('a'));
    const succession = view.succession(shard).slice(0, 3);
    expect(table.members(shard, view, 2)).toEqual([...succession].sort());
    const outsider = peers.find((p) => !succession.includes(p) && p !== 'a')!;
    table.update(outsider, 1, [shard]);
    expect(table.members(shard, view, 2)).toEqual([...succession, outsider].sort());
    // Interest of a peer not in the view does not count.
    table.update(asPeerId('zz'), 1, [shard]);
    expect(table.members(shard, view, 2)).not.toContain('zz');
    expect(table.wants(outsider, shard, view, 2)).toBe(true);
    expect(table.wants(succession[2]!, shard, view, 2)).toBe(true);
    expect(table.wants(succession[2]!, shard, view, 1)).toBe(false);
  });

  it('[I1] unscoped shards reach everyone', () => {
    const table = new InterestTable(asPeerId('a'), { scoped: (s) => s.startsWith('s') });
    expect(table.members(shardId('lobby'), view, 2)).toEqual(view.peers);
    expect(table.wants(asPeerId('f'), shardId('lobby'), view, 0)).toBe(true);
    expect(table.members(shard, view, 0)).toHaveLength(1);
  });

  it('[I2] keeps the announcement with the highest seq, and forgets a peer', () => {
    const table = new InterestTable(asPeerId('a'));
    expect(table.update(asPeerId('b'), 2, ['x', 'y'])).toBe(true);
    expect(table.update(asPeerId('b'), 1, ['z'])).toBe(false);
    expect(table.update(asPeerId('b'), 2, ['z'])).toBe(false);
    expect(table.interestsOf(asPeerId('b'))).toEqual(['x', 'y']);
    expect([...table.interested('x')]).toEqual(['b']);
    expect(table.update(asPeerId('b'), 3, ['y', 'z'])).toBe(true);
    expect([...table.interested('x')]).toEqual([]);
    table.forget(asPeerId('b'));
    expect(table.interestsOf(asPeerId('b'))).toEqual([]);
    expect(table.interested('y').size).toBe(0);
    expect(table.setOwn(['q'])).toBe(true);
    expect(table.setOwn(['q'])).toBe(false);
    expect([...table.interested('q')]).toEqual(['a']);
  });
});

describe('InterestExchange', () => {
  it('[I2] announces on change and to each joiner; a closed connection forgets the peer', () => {
    const net = new SimNetwork({ seed: 7 });
    const a = net.join('a');
    const b = net.join('b');
    const ea = new InterestExchange({ transport: a, clock: net.clock });
    const eb = new InterestExchange({ transport: b, clock: net.clock });
    net.run(100);
    ea.set('view', ['s0:0,0', 's0:1,0']);
    ea.set('extra', ['lobby']);
    net.run(100);
    expect(eb.table.interestsOf(asPeerId('a'))).toEqual(['lobby', 's0:0,0', 's0:1,0']);
    const c = net.join('c');
    const ec = new InterestExchange({ transport: c, clock: net.clock });
    net.run(100);
    expect(ec.table.interestsOf(asPeerId('a'))).toEqual(['lobby', 's0:0,0', 's0:1,0']);
    ea.set('extra', []);
    net.run(100);
    expect(eb.table.interestsOf(asPeerId('a'))).toEqual(['s0:0,0', 's0:1,0']);
    expect(ec.table.interestsOf(asPeerId('a'))).toEqual(['s0:0,0', 's0:1,0']);
    void a.close();
    net.run(100);
    expect(eb.table.interestsOf(asPeerId('a'))).toEqual([]);
    expect(() => eb.set('x', Array.from({ length: MAX_INTEREST_SHARDS + 1 }, (_, i) => `k${i}`))).toThrow(/at most/);
    for (const e of [ea, eb, ec]) e.dispose();
  });
});

const Counter = schema({ n: t.uint32().default(0), pad: t.string().default('') }, 'InterestTestCounter');
type Counter = SchemaType<typeof Counter>;

describe('Room with interest', () => {
  it('[I3] [I4] [I5] a shard reaches its audience only; a peer that turns interested catches up', () => {
    const seed = 11;
    const net = new SimNetwork({ seed, defaultLink: { latencyMs: 10 } });
    const rng = new SeededRng(seed);
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    const rooms = names.map((id) => Room.create({ transport: net.join(id), clock: net.clock, rng: rng.fork(), interest: true, bootstrapMs: 300, leaveOnHide: false }));
    const shards = ['x', 'y'];
    for (const r of rooms) for (const s of shards) r.declareShard<Counter>(s, Counter, { onAction: (st) => void st.n++ });
    net.run(2_000);
    const czarOf = (s: string): Room => rooms.find((r) => r.isCzar(s))!;
    const succession = (s: string): string[] => [czarOf(s).self, ...czarOf(s).backupsOf(s)];
    const outsiders = (s: string): Room[] => rooms.filter((r) => !succession(s).includes(r.self));
    const watcher = outsiders('x')[0]!;
    watcher.setInterest(['x']);
    net.run(200);
    const before = new Map(rooms.map((r) => [r.self, r.metrics().shards['x']!.bytesIn]));
    for (let i = 0; i < 20; i++) {
      czarOf('x').mutate<Counter, void>('x', (s) => {
        s.n++;
        s.pad = 'p'.repeat(200 + i);
      });
      net.run(60);
    }
    net.run(1_000);
    const n = czarOf('x').state<Counter>('x').n;
    expect(n, `seed ${seed}`).toBe(20);
    for (const r of rooms) {
      const got = r.metrics().shards['x']!.bytesIn - before.get(r.self)!;
      if (succession('x').includes(r.self) || r === watcher) expect(r.state<Counter>('x').n, `seed ${seed}, ${r.self}`).toBe(20);
      else expect(got, `seed ${seed}: ${r.self} is outside the audience of x but received ${got} bytes`).toBe(0);
    }
    // A peer that turns interested later gets a snapshot and then the deltas ([I4], [I5]).
    const late = outsiders('x').find((r) => r !== watcher)!;
    expect(late.state<Counter>('x').n).not.toBe(20);
    late.setInterest(['x']);
    net.run(1_500);
    expect(late.stateHash('x'), `seed ${seed}`).toBe(czarOf('x').stateHash('x'));
    czarOf('x').mutate<Counter, void>('x', (s) => void s.n++);
    net.run(500);
    expect(late.state<Counter>('x').n, `seed ${seed}`).toBe(21);
    expect(late.interestOf()).toEqual(['x']);
    expect(czarOf('x').interestOf(late.self)).toEqual(['x']);
    net.dispose();
  });
});
