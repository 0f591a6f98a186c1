import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../transport/sim/network.js';
import type { PeerId } from '../transport/types.js';
import { encodeFrame } from '../wire/frame.js';
import { MESSAGE_SPECS, type Message } from '../wire/messages.js';
import { MEMBERSHIP_MESSAGE_TYPES, type MembershipMessage, MembershipWire, isMembershipMessage } from './wire.js';

/** A fake membership endpoint recording what it is handed and letting the test send. */
function endpoint() {
  const handled: Array<[PeerId, Message]> = [];
  let sender: ((peer: PeerId, m: MembershipMessage, channel: 'control' | 'state') => void) | undefined;
  return {
    handled,
    send: (peer: PeerId, m: MembershipMessage, channel: 'control' | 'state') => sender!(peer, m, channel),
    handle: (peer: PeerId, m: Message) => void handled.push([peer, m]),
    onSend: (fn: typeof sender & {}) => {
      sender = fn;
      return () => (sender = undefined);
    },
  };
}

describe('MembershipWire', () => {
  it('[M3] membership messages use codes 40–59 and are recognised', () => {
    for (const t of MEMBERSHIP_MESSAGE_TYPES) {
      expect(MESSAGE_SPECS[t].code).toBeGreaterThanOrEqual(40);
      expect(MESSAGE_SPECS[t].code).toBeLessThanOrEqual(59);
    }
    expect(isMembershipMessage({ type: 'member-nack', seq: 1 })).toBe(true);
    expect(isMembershipMessage({ type: 'ping', seq: 1, sentAt: 0 })).toBe(false);
  });

  it('carries membership messages as frames between peers and hands other messages aside', () => {
    const net = new SimNetwork({ seed: 3 });
    const a = net.join('a');
    const b = net.join('b');
    net.run(50);
    const ea = endpoint();
    const eb = endpoint();
    const others: Message[] = [];
    const wa = new MembershipWire(a, ea, { clock: net.clock });
    new MembershipWire(b, eb, { clock: net.clock, onOther: (_peer, m) => others.push(m) });
    const update = { peer: 'a', incarnation: 2, status: 0, flags: 0, from: 'a', player: 'alice' };
    ea.send(b.localId, { type: 'member-ping', seq: 7, updates: [update] }, 'state');
    ea.send(b.localId, { type: 'member-updates', updates: [update] }, 'control');
    a.send(b.localId, 'control', encodeFrame([{ type: 'goodbye', reason: 'x' }]));
    net.run(50);
    expect(eb.handled).toEqual([
      ['a', { type: 'member-ping', seq: 7, updates: [update] }],
      ['a', { type: 'member-updates', updates: [update] }],
    ]);
    expect(others).toEqual([{ type: 'goodbye', reason: 'x' }]);

    // A peer without a connection: dropped and counted, never thrown.
    ea.send('nobody' as PeerId, { type: 'member-nack', seq: 1 }, 'state');
    expect(wa.dropped).toBe(1);
    wa.dispose();
    ea.handled.length = 0;
    eb.send(a.localId, { type: 'member-nack', seq: 2 }, 'state');
    net.run(50);
    expect(ea.handled).toEqual([]);
  });
});
