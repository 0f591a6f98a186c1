/**
 * Digest traffic ([R11], [R17]): how many digests a peer sends when it declares many shards at
 * once, and what a newcomer hears while terms are adopted around it. Found by the scale bench,
 * where digests were 80% of the bytes and most of the CPU.
 */
import { schema, t } from '@colyseus/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { SimCluster } from '../room/sim-cluster.node.js';
import type { PeerId } from '../transport/types.js';
import type { Message } from '../wire/messages.js';
import { PeerLinks } from './links.js';
import { DIGEST_FLAG_PARTIAL } from './protocol.js';

const Cell = schema({ n: t.uint32() }, 'DigestTestCell');

interface Sent {
  readonly from: PeerId;
  readonly to: PeerId;
  readonly flags: number;
  readonly shards: readonly string[];
}

/** Records every digest handed to a peer's links, with the virtual time (restored after each test). */
function spyDigestsAt(c?: SimCluster): Array<Sent & { at: number }> {
  const sent: Array<Sent & { at: number }> = [];
  const original = PeerLinks.prototype.send;
  PeerLinks.prototype.send = function (this: PeerLinks, peer: PeerId, message: Message, options) {
    if (message.type === 'shard-digest') {
      const self = (this as unknown as { options: { transport: { localId: PeerId } } }).options.transport.localId;
      sent.push({ from: self, to: peer, flags: message.flags, shards: message.entries.map((e) => String(e.shard)), at: c?.net.now() ?? 0 });
    }
    return original.call(this, peer, message, options);
  };
  restore.push(() => (PeerLinks.prototype.send = original));
  return sent;
}

const restore: Array<() => void> = [];
afterEach(() => {
  for (const r of restore.splice(0)) r();
});

function cluster(seed: number, ids: readonly string[]): SimCluster {
  const c = new SimCluster({
    seed,
    link: { latencyMs: 20, jitterMs: 0, loss: 0 },
    room: { bootstrapMs: 300, graceMs: 1_000, antiEntropyMs: 10_000, leaveOnHide: false },
    shards: [{ id: 'base', State: Cell }],
  });
  for (const id of ids) c.add(id);
  expect(c.settle(5_000, 50), `seed ${seed}`).toBeUndefined();
  return c;
}

describe('digests', () => {
  it('[R11] shards declared at one instant cost one digest per peer, not one per shard and peer', () => {
    const c = cluster(3, ['a', 'b', 'c']);
    const sent = spyDigestsAt();
    for (const r of c.live()) for (let i = 0; i < 20; i++) r.declareShard(`late${i}`, Cell);
    for (const from of ['a', 'b', 'c']) {
      expect(sent.filter((s) => s.from === from).map((s) => s.to).sort(), `seed 3, from ${from}`).toEqual(['a', 'b', 'c'].filter((p) => p !== from));
    }
    // The late shards still settle: one czar each, every replica on its term and state.
    c.run(3_000);
    for (let i = 0; i < 20; i++) {
      const id = `late${i}`;
      const czars = c.live().filter((r) => r.isCzar(id));
      expect(czars.length, `seed 3, ${id}`).toBe(1);
      const term = czars[0]!.termOf(id);
      for (const r of c.live()) expect(r.termOf(id), `seed 3, ${id} on ${r.self}`).toEqual(term);
    }
  });

  it('[R17] a newcomer hears of the terms adopted around it in partial digests, at most one per peer and tick, listing those shards only', () => {
    const c = cluster(4, ['a', 'b']);
    const sent = spyDigestsAt(c);
    const n = c.add('n');
    c.run(100);
    // While n is a newcomer, the others declare new shards: each adopts the terms its peers open.
    for (const r of c.live()) for (let i = 0; i < 10; i++) r.declareShard(`late${i}`, Cell);
    c.run(2_000);
    const partial = sent.filter((s) => s.to === n.self && (s.flags & DIGEST_FLAG_PARTIAL) !== 0);
    expect(partial.length, 'seed 4').toBeGreaterThan(0);
    for (const p of partial) {
      expect(p.shards.length, 'seed 4').toBeGreaterThan(0);
      for (const shard of p.shards) expect(shard, 'seed 4: only adopted shards').toMatch(/^late\d$/);
    }
    for (const from of ['a', 'b']) {
      const at = partial.filter((p) => p.from === from).map((p) => p.at);
      expect(new Set(at).size, `seed 4, from ${from}: one per tick`).toBe(at.length);
    }
  });
});
