import { schema, t } from '@colyseus/schema';
import { Room } from '@anarchy/sdk';
import { SimNetwork } from '@anarchy/sdk/testing';

// The same game as two "tabs" on a simulated network: 30 ms links, virtual time.
const Clicks = schema({ count: t.uint32().default(0) }, 'Clicks');
const net = new SimNetwork({ seed: 1, defaultLink: { latencyMs: 30 } });
const tab = (id: string) =>
  Room.create({ transport: net.join(id), clock: net.clock }).declareShard('clicks', Clicks, { onAction: (state) => void state.count++ });
const tabA = tab('tab-a');
const tabB = tab('tab-b');

net.run(2_000); // the tabs connect; the czar of 'clicks' opens its first term
void tabA.act({});
void tabB.act({});
net.run(500);
console.log(tabA.state().count, tabB.state().count); // → 2 2
