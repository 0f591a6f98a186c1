/**
 * Node bot runner: joins N bots to a room over real WebRTC (@roamhq/wrtc) and plays them until
 * Ctrl+C (or --seconds). Each bot is a full peer with its own Room, running the same game code as
 * the page.
 *
 *   pnpm --filter @anarchy/demo bots -- --room <id> --count 4 --signal http://127.0.0.1:8787
 */
import { SeededRng } from '@anarchy/sdk';
import { installNodeWebRtc } from '@anarchy/sdk/node';
import { parseBotArgs } from '../src/bots/args.js';
import { botName, runBot } from '../src/bots/bot.js';
import { joinRoom } from '../src/net/sdk-room.js';
import { GameSession, ROOM_INTEREST } from '../src/net/session.js';
import { PALETTE, randomId } from '../src/ui/profile.js';

let args;
try {
  args = parseBotArgs(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}

installNodeWebRtc();
const rng = new SeededRng(args.seed);
const running: Array<{ name: string; session: GameSession; stop: () => void }> = [];

for (let n = 1; n <= args.count; n++) {
  const name = botName(n);
  try {
    const room = await joinRoom({ signalUrl: args.signalUrl, room: args.room, interest: ROOM_INTEREST });
    const session = new GameSession({
      room,
      fleet: args.fleet,
      profile: { playerId: `nbot-${randomId(6, () => rng.next())}`, name: `Node ${name}`, colour: PALETTE[(n + 5) % PALETTE.length]! },
    });
    session.start();
    const welcome = await session.join();
    running.push({ name, session, stop: runBot(session, rng.fork()) });
    console.log(`${name} joined as ${room.self}, starting in ${welcome.home}`);
  } catch (err) {
    console.error(`${name} could not join: ${err instanceof Error ? err.message : String(err)}`);
  }
}
if (running.length === 0) process.exit(1);

const status = setInterval(() => {
  const s = running[0]!.session;
  const w = s.refresh();
  console.log(`${running.length} bots · ${s.room.peers().length} peers · ${w.count} ships`);
}, 10_000);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  clearInterval(status);
  for (const b of running) b.stop();
  await Promise.allSettled(running.map((b) => b.session.leave()));
  console.log('bots left the room');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (args.seconds > 0) setTimeout(() => void stop(), args.seconds * 1000);
