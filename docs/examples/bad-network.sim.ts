import { SimNetwork } from '@anarchy/sdk/testing';

const net = new SimNetwork({ seed: 4, defaultLink: { latencyMs: 40, jitterMs: 30, loss: 0.05 } });
const [red, blue, green] = ['red', 'blue', 'green'].map((id) => net.join(id));
net.run(1_000);
console.log(red!.peers().length, blue!.peers().length, green!.peers().length); // → 2 2 2

net.setLinkBoth('red', 'blue', { latencyMs: 300 }); // one slow pair
net.partition(['red'], ['blue', 'green']); // cut the room in two: after the 5 s keep-alive timeout …
net.run(6_000);
console.log(red!.peers().length, blue!.peers().length); // → 0 1
net.heal(); // … and join it again: transports re-dial
net.run(3_000);
console.log(red!.peers().length); // → 2

net.crash('green'); // vanish: no goodbye, timers stop
net.pause('blue', 2_000); // a suspended tab, for 2 s
net.run(6_000);
console.log(red!.peers().length, net.now()); // → 1 16000
for (let i = 0; i < 200; i++) red!.send(blue!.localId, i % 2 === 0 ? 'state' : 'control', new Uint8Array([i]));
net.run(2_000);
const { state, control } = net.stats(); // per channel; per link in .links
console.log(`state: ${state.delivered}/${state.sent} delivered, control: ${control.delivered}/${control.sent} after ${control.retransmits} retransmissions`); // → state: 95/100 delivered, control: 100/100 after 8 retransmissions
