import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../transport/sim/index.js';
import type { MembershipChange } from './types.js';
import { TransportMembership } from './transport-membership.js';

describe('TransportMembership', () => {
  it('follows the transport: joins and leaves bump the version, self is always a member', () => {
    const net = new SimNetwork({ seed: 7 });
    const a = net.join('a');
    const view = new TransportMembership(a);
    const changes: MembershipChange[] = [];
    view.on('change', (c) => changes.push(c));
    expect(view.members()).toEqual(['a']);

    net.join('c');
    net.join('b');
    net.run(100);
    expect(view.members()).toEqual(['a', 'b', 'c']);
    expect(view.version()).toBe(2);

    net.transport('c')!.close();
    net.run(100);
    expect(view.members()).toEqual(['a', 'b']);
    expect(changes.map((c) => [c.version, c.joined, c.left])).toEqual([
      [1, ['c'], []],
      [2, ['b'], []],
      [3, [], ['c']],
    ]);
    expect(view.standby()).toEqual([]);

    view.dispose();
    net.join('d');
    net.run(100);
    expect(view.members()).toEqual(['a', 'b']);
  });
});
