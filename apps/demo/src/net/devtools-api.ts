/**
 * The contract of `window.anarchy` (see devtools.ts), in a file of its own with no runtime
 * imports, so the e2e tests type-check against it without compiling the game.
 */
import type { MetricsLike } from './port.js';

/** What the machinery log shows. */
export type LogKind = 'failover' | 'czar' | 'handoff' | 'capture' | 'info' | 'error';

/** One log line. */
export interface LogEntry {
  /** Clock time. */
  readonly at: number;
  readonly kind: LogKind;
  readonly text: string;
}

/** One ship as `units()` reports it. */
export interface UnitInfo {
  readonly id: string;
  readonly owner: string;
  readonly x: number;
  readonly y: number;
  readonly hp: number;
  /** Shard key of the sector holding the ship. */
  readonly sector: string;
}

/** One player as `players()` reports it. */
export interface PlayerInfo {
  readonly id: string;
  readonly name: string;
  readonly colour: string;
  readonly peer: string;
  readonly home: string;
  readonly online: boolean;
}

/** The camera as `camera()` reports it: screen x = (world x − cx) · zoom + width / 2 (CSS px). */
export interface CameraInfo {
  /** World point at the centre of the canvas. */
  readonly cx: number;
  readonly cy: number;
  /** CSS pixels per world unit. */
  readonly zoom: number;
  /** Canvas size in CSS pixels. */
  readonly width: number;
  readonly height: number;
  /** How far the panels cover each edge of the canvas, in CSS pixels. */
  readonly insets: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
}

/** What `window.anarchy` offers. */
export interface AnarchyDevtools {
  /** Resolves (true) once joined and the fleet exists. */
  readonly ready: Promise<true>;
  /** True once joined and the fleet exists (false again while reconnecting). */
  readonly isReady: boolean;
  /**
   * Connection state: 'connecting' | 'joining' | 'playing' | 'signal-lost' (still playing with
   * connected peers) | 'reconnecting' | 'failed' (an error screen is shown).
   */
  status(): string;
  /** This peer's id (changes after a reconnect); undefined before the first join. */
  readonly localId: string | undefined;
  /** This tab's player id (stable across reloads of the tab). */
  readonly playerId: string;
  /** Peers in the room by the membership view, this one included. */
  peers(): string[];
  /** Shard ids: 'players' and one sector key per gameplay sector. */
  shards(): string[];
  czarOf(shard: string): string | undefined;
  backupsOf(shard: string): string[];
  stateHash(shard: string): string;
  /** State hash of every shard. */
  stateHashes(): Record<string, string>;
  metrics(): MetricsLike | undefined;
  /** Every ship (each once), positioned now. */
  units(): UnitInfo[];
  /** This player's ship ids. */
  myUnits(): string[];
  players(): PlayerInfo[];
  /** The machinery log (failovers, czar moves, hand-offs, captures). */
  log(): LogEntry[];
  /** Frames drawn so far. */
  frames(): number;
  /** Smoothed time to draw one frame, in ms. */
  frameMs(): number;
  /** The sectors this peer declared interest in (sees, has ships or planets in, or simulates next to), sorted. */
  interest(): string[];
  /** The view onto the galaxy, to turn world points into screen points (tests click with it). */
  camera(): CameraInfo;
  /** Orders this player's ships `ids` to (x, y), as a right click would; resolves with how many took it. */
  order(ids: readonly string[], x: number, y: number): Promise<number>;
}
