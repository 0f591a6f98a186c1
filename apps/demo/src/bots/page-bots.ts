/**
 * `?bots=N`: simulated players inside the page, each a full peer with its own room and WebRTC
 * transport joined to the same room, running the bot brain.
 */
import { systemRng } from '@anarchy/sdk';
import { PALETTE, randomId } from '../ui/profile.js';
import { joinRoom } from '../net/sdk-room.js';
import { GameSession, ROOM_INTEREST } from '../net/session.js';
import { botName, runBot } from './bot.js';

/** A running in-page bot. */
export interface PageBot {
  readonly session: GameSession;
  stop(): Promise<void>;
}

/** Joins `count` bots to `room` one after another; each failure is reported and skipped. */
export async function startPageBots(options: {
  signalUrl: string;
  room: string;
  count: number;
  fleet: number;
  /** Colours bots should not take (the page's player). */
  avoidColours?: readonly string[];
  onError?: (err: unknown) => void;
}): Promise<PageBot[]> {
  const bots: PageBot[] = [];
  const colours = PALETTE.filter((c) => !options.avoidColours?.includes(c));
  for (let n = 1; n <= options.count; n++) {
    try {
      const room = await joinRoom({ signalUrl: options.signalUrl, room: options.room, interest: ROOM_INTEREST });
      const session = new GameSession({
        room,
        fleet: options.fleet,
        profile: { playerId: `bot-${randomId(6)}`, name: botName(n), colour: colours[(n - 1) % colours.length]! },
      });
      session.start();
      await session.join();
      const stopBrain = runBot(session, systemRng);
      bots.push({
        session,
        stop: async () => {
          stopBrain();
          await session.leave();
        },
      });
    } catch (err) {
      options.onError?.(err);
    }
  }
  return bots;
}
