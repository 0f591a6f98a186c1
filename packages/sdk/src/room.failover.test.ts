/**
 * Failover, commitment and partitions through the public `Room` API on the simulated network
 * (SPEC.md [R23]–[R29]): SWIM as the default membership on the room's own links, commit points,
 * takeover from the highest replica, the majority rule, standby and hidden tabs, graceful leave,
 * and rejoin.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import type { RollbackEvent } from './replication/engine-types.js';
import type { Room } from './room.js';
import { PeerClock } from './room/peer-clock.node.js';
import type { PageLike } from './room/page-lifecycle.js';
import { SimCluster } from './room/sim-cluster.node.js';
import { rankPeers } from './authority/rendezvous.js';
import { shardId } from './authority/ids.js';
import { asPeerId } from './transport/types.js';

const Log = schema({ n: t.uint32().default(0), items: t.array('string') }, 'FailoverTestLog');
type Log = SchemaType<typeof Log>;

const onAction = (s: Log, action: unknown): number => {
  const a = action as { item?: string };
  if (typeof a.item !== 'string') throw new Error('no item');
  s.items.push(a.item);
  s.n++;
  return s.n;
};

/** Transport keep-alives are slow on purpose: every failover here comes from SWIM's verdicts. */
function cluster(seed: number, ids: readonly string[], room: Record<string, unknown> = {}): SimCluster {
  const c = new SimCluster({
    seed,
    link: { latencyMs: 20 },
    transport: { keepAliveMs: 1_000, peerTimeoutMs: 30_000, redialMs: 250 },
    room: { bootstrapMs: 300, antiEntropyMs: 200, graceMs: 1_000, repairRetryMs: 150, handoffRetryMs: 200, leaveTimeoutMs: 1_000, ...room },
    shards: [{ id: 'log', State: Log, options: { onAction: onAction as never } }],
  });
  for (const id of ids) c.add(id, { playerId: `player-${id}` });
  return c;
}

function converge(c: SimCluster, maxMs = 10_000): void {
  expect(c.settle(maxMs, 50), `seed ${c.net.seed}`).toBeUndefined();
  expect(c.checker.violations, `seed ${c.net.seed}`).toEqual([]);
}

const items = (r: Room): string[] => [...r.state<Log>('log').items];

function write(r: Room, item: string): void {
  r.mutate<Log, void>('log', (s) => {
    s.items.push(item);
    s.n++;
  });
}

const settle = <T>(c: SimCluster, p: Promise<T>, ms = 3_000): Promise<T> => c.runUntilSettled(p, ms);

describe('Room failover: membership', () => {
  it('[R29] SWIM is the default membership and its messages ride the room links: a crashed czar is replaced long before the transport notices', () => {
    const c = cluster(1, ['a', 'b', 'c', 'd']);
    converge(c);
    const czar = c.czarRoom('log')!;
    const [backup] = czar.backupsOf('log');
    write(czar, 'before');
    c.run(300);
    expect(czar.membership.constructor.name).toBe('SwimMembership');
    // Membership traffic is counted on the room's own links (one Outbox/Inbox per peer).
    expect(Object.values(czar.metrics().peers).every((p) => p.messagesIn > 0)).toBe(true);
    c.crash(czar.self);
    const at = c.net.now();
    expect(c.net.runUntil(() => c.czarRoom('log')?.self === backup, 10_000)).toBe(true);
    // The transport would notice only after 30 s.
    expect(c.net.now() - at).toBeLessThan(3_000);
    converge(c);
    for (const r of c.live()) expect(items(r)).toEqual(['before']);
  });

  it('[R29] a player back under a new peer id replaces its old self at once and rejoins as replica and backup', () => {
    const c = cluster(2, ['a', 'b', 'c']);
    converge(c);
    const victim = c.live().find((r) => !r.isCzar('log'))!;
    c.crash(victim.self);
    const back = c.add(`${victim.self}2`, { playerId: `player-${victim.self}` });
    expect(c.net.runUntil(() => c.live().every((r) => !r.peers().includes(victim.self) && r.peers().includes(back.self)), 5_000)).toBe(true);
    converge(c);
    expect(back.termOf('log')).toEqual(c.czarRoom('log')!.termOf('log'));
    expect(c.live().every((r) => r.status() === 'ok')).toBe(true);
  });
});

describe('Room failover: commitment', () => {
  it('[R23] the czar reports commit points once its first backup acknowledged them; whenCommitted and act({ commit }) wait for them', async () => {
    const c = cluster(3, ['a', 'b', 'c']);
    converge(c);
    const czar = c.czarRoom('log')!;
    const commits: number[] = [];
    czar.on('commit', (e) => commits.push(e.seq));
    write(czar, 'x');
    const seqOfWrite = czar.termOf('log')!.seq + 1;
    await settle(c, czar.whenCommitted('log'));
    expect(Math.max(...commits)).toBeGreaterThanOrEqual(seqOfWrite);
    expect(czar.metrics().shards['log']!.committedSeq).toBeGreaterThanOrEqual(seqOfWrite);
    const other = c.live().find((r) => r !== czar)!;
    let resolvedAt = -1;
    const p = other.act<number>('log', { item: 'y' }, { commit: true }).then((n) => {
      resolvedAt = czar.metrics().shards['log']!.committedSeq;
      return n;
    });
    expect(await settle(c, p)).toBe(2);
    // Answered only once the czar counted the action's delta committed.
    expect(resolvedAt).toBeGreaterThanOrEqual(czar.termOf('log')!.seq);
    expect(items(other)).toEqual(['x', 'y']);
  });

  it('[R23][R25] no committed write is lost when the czar crashes, even if the first backup never saw the last deltas (the takeover fetches the highest replica)', () => {
    const c = cluster(4, ['a', 'b', 'c', 'd', 'e']);
    converge(c);
    const czar = c.czarRoom('log')!;
    const [first, second] = czar.backupsOf('log');
    const successor = c.rooms.get(first!)!;
    // The first backup misses the czar's last deltas: every state-channel frame to it is dropped
    // (relayed copies too) until the czar is gone.
    const restore: Array<() => void> = [];
    for (const r of c.live()) {
      const t = r.transport;
      const send = t.send.bind(t);
      t.send = (peer, channel, data) => {
        if (peer === successor.self && channel === 'state') return;
        send(peer, channel, data);
      };
      restore.push(() => (t.send = send));
    }
    write(czar, 'late');
    c.run(100);
    expect(items(successor)).toEqual([]);
    expect(items(c.rooms.get(second!)!)).toEqual(['late']);
    c.crash(czar.self);
    for (const undo of restore) undo();
    const claims: string[] = [];
    successor.on('trace', (e) => e.type === 'claim' && claims.push(e.from));
    converge(c);
    expect(c.czarRoom('log')!.self).toBe(first);
    expect(claims).toEqual(['copy']);
    for (const r of c.live()) expect(items(r)).toEqual(['late']);
  });
});

describe('Room failover: partitions and the majority rule', () => {
  it('[R26][R24] the minority side turns read only; the majority keeps writing; on heal all converge to the majority and the lost writes are reported', async () => {
    const c = cluster(5, ['a', 'b', 'c', 'd', 'e']);
    converge(c);
    const czar = c.czarRoom('log')!;
    const others = c.live().filter((r) => r !== czar);
    const minority = [czar, others[0]!];
    const majority = others.slice(1);
    const rollbacks: RollbackEvent[] = [];
    czar.on('rollback', (e) => rollbacks.push(e));
    const statuses: string[] = [];
    czar.on('status', (e) => statuses.push(e.status));
    c.net.partition(
      minority.map((r) => r.self),
      majority.map((r) => r.self),
    );
    write(czar, 'cut off'); // before the czar can know
    c.run(3_000);
    expect(minority.every((r) => r.status() === 'degraded')).toBe(true);
    expect(statuses).toEqual(['degraded']);
    expect(() => write(czar, 'refused')).toThrow(expect.objectContaining({ code: ErrorCode.ReadOnly }));
    await expect(settle(c, minority[1]!.act('log', { item: 'refused too' }))).rejects.toMatchObject({ code: ErrorCode.ReadOnly });
    const newCzar = c.czarRoom('log')!;
    expect(majority).toContain(newCzar);
    write(newCzar, 'majority');
    c.net.heal();
    converge(c, 15_000);
    for (const r of c.live()) expect(items(r)).toEqual(['majority']);
    expect(statuses).toEqual(['degraded', 'ok']);
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ shard: 'log', czar: czar.self, fromSeq: 1, toSeq: 1 });
  });

  it('[R26] half the room killed at once: the half holding the lowest id keeps playing', () => {
    const c = cluster(6, ['a', 'b', 'c', 'd']);
    converge(c);
    c.run(1_500); // the view settles
    c.crash('c');
    c.crash('d');
    expect(c.net.runUntil(() => c.czarRoom('log') !== undefined && c.live().every((r) => r.peers().length === 2), 10_000)).toBe(true);
    const czar = c.czarRoom('log')!;
    for (const r of c.live()) expect(r.status()).toBe('ok');
    write(czar, 'still playing');
    converge(c);
    for (const r of c.live()) expect(items(r)).toEqual(['still playing']);
  });

  it('[R26] half the room killed at once: the half without the lowest id is read only until a player of the old view comes back', () => {
    const c = cluster(7, ['a', 'b', 'c', 'd']);
    converge(c);
    c.run(1_500);
    c.crash('a');
    c.crash('b');
    c.run(5_000);
    for (const r of c.live()) {
      expect(r.status()).toBe('degraded');
      expect(r.isCzar('log')).toBe(false);
    }
    const survivor = c.live()[0]!;
    expect(() => write(survivor, 'no')).toThrow(expect.objectContaining({ code: ErrorCode.ReadOnly }));
    // Player a reloads its tab (a new peer id): the old view has a majority again.
    c.add('a2', { playerId: 'player-a' });
    converge(c, 15_000);
    expect(c.live().every((r) => r.status() === 'ok')).toBe(true);
  });

  it('[R26] a peer frozen for a while (suspended tab) wakes up read only, steps down and reports what it wrote meanwhile', () => {
    const c = new SimCluster({
      seed: 8,
      link: { latencyMs: 20 },
      transport: { keepAliveMs: 250, peerTimeoutMs: 1_500, redialMs: 250 },
      room: { bootstrapMs: 300, antiEntropyMs: 200, graceMs: 1_000, repairRetryMs: 150 },
      shards: [{ id: 'log', State: Log, options: { onAction: onAction as never } }],
    });
    const clocks = new Map<string, PeerClock>();
    for (const id of ['a', 'b', 'c']) {
      const clock = new PeerClock(c.net.clock);
      clocks.set(id, clock);
      c.add(id, { clock, playerId: id });
    }
    converge(c);
    const czar = c.czarRoom('log')!;
    const rollbacks: RollbackEvent[] = [];
    czar.on('rollback', (e) => rollbacks.push(e));
    write(czar, 'just before the freeze');
    clocks.get(czar.self)!.pause();
    c.net.pause(czar.self);
    c.run(4_000);
    expect(c.czarRoom('log')).not.toBe(czar);
    c.net.resume(czar.self);
    clocks.get(czar.self)!.resume();
    expect(czar.status()).toBe('degraded');
    expect(() => write(czar, 'stale')).toThrow(expect.objectContaining({ code: ErrorCode.ReadOnly }));
    converge(c, 10_000);
    expect(items(c.czarRoom('log')!)).toEqual(items(czar));
    expect(rollbacks.length).toBeLessThanOrEqual(1);
    if (items(czar).length === 0) expect(rollbacks[0]).toMatchObject({ shard: 'log', fromSeq: 1 });
  });
});

describe('Room failover: standby, hidden tabs and leaving', () => {
  it('[R27] setStandby(true) hands every shard to the next backup at once and sets the peer aside; false takes it back', () => {
    const c = cluster(9, ['a', 'b', 'c']);
    converge(c);
    const czar = c.czarRoom('log')!;
    const [next] = czar.backupsOf('log');
    write(czar, 'handed over');
    czar.setStandby(true);
    c.run(100); // one trip, and the new czar's opening snapshot
    expect(c.czarRoom('log')?.self).toBe(next);
    expect(c.net.runUntil(() => c.live().every((r) => r.membership.standby().includes(czar.self)), 3_000)).toBe(true);
    for (const r of c.live()) expect(r.backupsOf('log')).not.toContain(czar.self);
    czar.setStandby(false);
    converge(c);
    expect(c.live().every((r) => r.membership.standby().length === 0)).toBe(true);
    for (const r of c.live()) expect(items(r)).toEqual(['handed over']);
  });

  it('[R27][R28] follows the page: hidden hands off and stands by, visible comes back, pagehide leaves', async () => {
    const listeners = new Map<string, () => void>();
    const doc: PageLike & { visibilityState: string } = {
      visibilityState: 'visible',
      addEventListener: (type, fn) => listeners.set(`doc:${type}`, fn),
      removeEventListener: (type) => listeners.delete(`doc:${type}`),
    };
    const win: PageLike = { addEventListener: (type, fn) => listeners.set(`win:${type}`, fn), removeEventListener: (type) => listeners.delete(`win:${type}`) };
    const c = cluster(10, ['b', 'c']);
    const id = idThatWins('log', ['b', 'c'], 'tab');
    const tab = c.add(id, { room: { page: { window: win, document: doc } } });
    converge(c);
    expect(tab.isCzar('log')).toBe(true);
    expect([...listeners.keys()].sort()).toEqual(['doc:visibilitychange', 'win:pagehide']);
    write(tab, 'from the tab');
    doc.visibilityState = 'hidden';
    listeners.get('doc:visibilitychange')!();
    c.run(100);
    expect(tab.isCzar('log')).toBe(false);
    expect(c.czarRoom('log')).toBeDefined();
    expect(c.net.runUntil(() => c.live().every((r) => r.membership.standby().includes(tab.self)), 3_000)).toBe(true);
    doc.visibilityState = 'visible';
    listeners.get('doc:visibilitychange')!();
    converge(c);
    expect(tab.isCzar('log')).toBe(true);
    listeners.get('win:pagehide')!();
    await settle(c, Promise.resolve());
    c.run(200);
    expect(tab.transport.closed).toBe(true);
    expect(listeners.size).toBe(0);
    c.rooms.delete(tab.self);
    converge(c);
    for (const r of c.live()) expect(items(r)).toEqual(['from the tab']);
  });

  it('[R28] a leave() from a pagehide listener the game registered before the room still says every goodbye before the page dies', () => {
    // A window with the DOM's dispatch rules: listeners run in the order they were added, and one
    // removed during the dispatch (before its turn) does not run.
    const listeners: Array<{ type: string; fn: () => void }> = [];
    const win: PageLike = {
      addEventListener: (type, fn) => listeners.push({ type, fn }),
      removeEventListener: (type, fn) => {
        const i = listeners.findIndex((l) => l.type === type && l.fn === fn);
        if (i >= 0) listeners.splice(i, 1);
      },
    };
    const dispatch = (type: string): void => {
      for (const l of listeners.filter((x) => x.type === type)) if (listeners.includes(l)) l.fn();
    };
    let tab: Room | undefined;
    win.addEventListener('pagehide', () => void tab?.leave()); // the game's, first
    const c = cluster(12, ['b', 'c']);
    const id = idThatWins('log', ['b', 'c'], 'tab');
    tab = c.add(id, { room: { page: { window: win } } });
    converge(c);
    expect(tab.isCzar('log')).toBe(true);
    write(tab, 'last words');
    dispatch('pagehide');
    // The page is gone: nothing asynchronous runs after `pagehide`.
    c.crash(id);
    const others = c.live();
    // SWIM's goodbye went out during the dispatch: the others drop the tab at once, where a
    // crash would take a probe round and a suspicion timeout (hundreds of ms).
    expect(c.net.runUntil(() => others.every((r) => !r.peers().includes(asPeerId(id))), 100)).toBe(true);
    converge(c);
    for (const r of others) expect(items(r)).toEqual(['last words']);
  });

  it('[R28] leave() hands over in one trip: the successor writes, applied everywhere, about one round trip after the call', () => {
    const c = cluster(11, ['a', 'b', 'c', 'd']);
    converge(c);
    const czar = c.czarRoom('log')!;
    const [next] = czar.backupsOf('log');
    write(czar, 'last words');
    const at = c.net.now();
    void czar.leave();
    const successor = c.rooms.get(next!)!;
    const others = c.live().filter((r) => r !== czar);
    expect(c.net.runUntil(() => successor.isCzar('log') && others.every((r) => r.termOf('log')?.czar === next), 1_000)).toBe(true);
    // 20 ms to the successor, 20 ms for its opening snapshot to everyone.
    expect(c.net.now() - at).toBeLessThanOrEqual(40 + 1);
    converge(c);
    for (const r of c.live()) expect(items(r)).toEqual(['last words']);
  });
});

/** An id that rendezvous hashing puts first for `shard` among `members` plus itself. */
function idThatWins(shard: string, members: readonly string[], prefix: string): string {
  for (let i = 0; ; i++) {
    const id = `${prefix}${i}`;
    if (rankPeers(shardId(shard), [...members, id].map(asPeerId))[0] === id) return id;
  }
}
