import { schema, t } from '@colyseus/schema';
import { Room, rankPeers, shardId } from '@anarchy/sdk';
import { SeededRng, SimNetwork } from '@anarchy/sdk/testing';
import { settle } from './sim-helpers.js';

const World = schema({ tick: t.uint32().default(0) }, 'World');
const Chat = schema({ lines: t.array('string') }, 'Chat');

function startPeer(net: SimNetwork, id: string, rng: SeededRng) {
  const room = Room.create({ transport: net.join(id), clock: net.clock, rng: rng.fork() });
  const world = room.declareShard('world', World);
  const chat = room.declareShard('chat', Chat, {
    // Runs on the chat's czar only. Validate first: a throw rejects the sender's act().
    onAction(state, action, ctx) {
      if (typeof action !== 'string' || action.length > 200) throw new Error('a chat line is a string of at most 200 characters');
      state.lines.push(`${ctx.from}: ${action}`);
      return state.lines.length;
    },
  });
  return { room, world, chat };
}

const net = new SimNetwork({ seed: 3, defaultLink: { latencyMs: 25 } });
const rng = new SeededRng(3);
const peers = ['ann', 'ben', 'cat', 'dan'].map((id) => startPeer(net, id, rng));
net.run(2_000);

// Czar and backups come from rendezvous hashing of the membership view: every peer agrees.
console.log(peers.map((p) => p.world.czar()).join(' ')); // → ann ann ann ann
console.log(rankPeers(shardId('world'), peers[0]!.room.peers()).join(' ')); // → ann cat ben dan
console.log(peers[0]!.world.backups().join(' ')); // → cat ben

// The czar writes directly; the change reaches every replica with its next tick's delta.
const czar = peers.find((p) => p.world.isCzar())!;
czar.world.mutate((w) => void (w.tick = 7));
net.run(200);
console.log(peers.map((p) => p.world.state().tick).join(' ')); // → 7 7 7 7

// Anyone else sends an action to the czar, which applies it (or refuses).
const notCzar = peers.find((p) => !p.chat.isCzar())!;
console.log(await settle(net, notCzar.chat.act('gg'))); // → 1
console.log(await settle(net, notCzar.chat.act(42)).catch((err: Error) => err.message)); // → The czar of shard chat rejected the action: a chat line is a string of at most 200 characters
console.log(peers.map((p) => p.chat.state().lines.length).join(' ')); // → 1 1 1 1
