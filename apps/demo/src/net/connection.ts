/**
 * The life of a player's connection: join the room over WebRTC, run a game session on it, and
 * when the transport dies, join again (new peer id, same player id, so the fleet is taken back)
 * with growing pauses. Errors that retrying cannot fix (no such room, room full, another protocol
 * version, or no signal service on the first attempt) end it: the page shows a screen.
 */
import { Emitter } from './emitter.js';
import { joinRoom, type Room } from './sdk-room.js';
import { GameSession, ROOM_INTEREST, type Profile } from './session.js';

/** What a connection reports. */
export type ConnectionStatus =
  | { readonly state: 'connecting' }
  | { readonly state: 'joining' }
  | { readonly state: 'playing' }
  | { readonly state: 'signal-lost' }
  | { readonly state: 'reconnecting'; readonly attempt: number; readonly error: unknown };

export interface ConnectionEvents {
  status: ConnectionStatus;
  /** A new session is running (the first, or after a reconnect). */
  session: GameSession;
  /** Gave up: show a screen for this error. */
  fatal: unknown;
}

export interface ConnectionOptions {
  readonly signalUrl: string;
  readonly room: string;
  readonly fleet: number;
  readonly profile: Profile;
}

/** Codes no retry can fix. */
const FATAL = new Set(['room-not-found', 'room-full', 'incompatible-version', 'invalid-argument']);
const codeOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

/** Pause before reconnect attempt `n` (1-based), in ms: 1, 2, 4, 8, then 10 s. */
export function backoffMs(n: number): number {
  return Math.min(10_000, 1_000 * 2 ** Math.max(0, n - 1));
}

export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  session: GameSession | undefined;
  room: Room | undefined;
  private attempt = 0;
  private everJoined = false;
  private leaving = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  /** Connects (once; later reconnects are automatic). */
  start(): void {
    void this.connect();
  }

  /** Leaves for good. */
  async leave(): Promise<void> {
    this.leaving = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.session?.leave();
  }

  private async connect(): Promise<void> {
    if (this.leaving) return;
    this.events.emit('status', { state: 'connecting' });
    let room: Room;
    try {
      room = await joinRoom({ signalUrl: this.options.signalUrl, room: this.options.room, interest: ROOM_INTEREST });
    } catch (err) {
      if (FATAL.has(codeOf(err) ?? '') || !this.everJoined) this.events.emit('fatal', err);
      else this.retryLater(err);
      return;
    }
    if (this.leaving) {
      await room.leave();
      return;
    }
    this.everJoined = true;
    this.room = room;
    const session = new GameSession({ room, profile: this.session?.profile ?? this.options.profile, fleet: this.options.fleet });
    this.session = session;
    session.start();
    room.transport.on('closed', ({ error }) => {
      if (this.leaving || this.room !== room) return;
      session.stop();
      this.retryLater(error);
    });
    room.transport.on('error', (err) => {
      if (this.room !== room || codeOf(err) !== 'signal-disconnected') return;
      // Connected peers still work; alone, there is nothing to keep: start over.
      if (room.peers().length <= 1) {
        session.stop();
        void room.leave();
        this.retryLater(err);
      } else {
        this.events.emit('status', { state: 'signal-lost' });
      }
    });
    room.on('error', (err) => {
      if (codeOf(err) === 'incompatible-version' && this.room === room) {
        this.leaving = true;
        void session.leave();
        this.events.emit('fatal', err);
      }
    });
    this.events.emit('session', session);
    this.events.emit('status', { state: 'joining' });
    try {
      await session.join();
      this.attempt = 0;
      if (this.room === room) this.events.emit('status', { state: 'playing' });
    } catch (err) {
      if (this.room === room && !this.leaving) {
        session.stop();
        void room.leave();
        this.retryLater(err);
      }
    }
  }

  private retryLater(error: unknown): void {
    if (this.leaving) return;
    this.room = undefined;
    this.attempt++;
    this.events.emit('status', { state: 'reconnecting', attempt: this.attempt, error });
    this.timer = setTimeout(() => void this.connect(), backoffMs(this.attempt));
  }
}
