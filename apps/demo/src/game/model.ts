/**
 * The game's data as the pure rules see it. The replicated schema classes (net/schema.ts) satisfy
 * these interfaces, and so do plain objects and Maps, which is what the tests use.
 */
import type { spatial } from '@anarchy/sdk';

/** A sector id (`x`, `y`, `scale`), as in the SDK's spatial layer. */
export type SectorId = spatial.SectorId;
/** A half-open rectangle in world units. */
export type Rect = spatial.Rect;

/**
 * A ship. Its motion is a straight path: at tick `t0` it was at (`x`, `y`), flying at
 * `SHIP_SPEED` towards (`tx`, `ty`). Every peer derives the position at any tick from these
 * fields, so a moving ship costs no traffic until its orders change.
 */
export interface UnitData {
  /** Player id of the owner. */
  owner: string;
  x: number;
  y: number;
  tx: number;
  ty: number;
  t0: number;
  hp: number;
  /** Hand-offs this ship went through; a hand-off carries `hops + 1`, so retries are recognised. */
  hops: number;
  /** Key of the sector this ship is being handed to, or '' when it is not leaving. */
  leaving: string;
}

/** A planet: position and size are generated; ownership changes by capture. */
export interface PlanetData {
  x: number;
  y: number;
  r: number;
  /** Player id of the owner, '' when neutral. */
  owner: string;
  /** Player id whose ships are taking the (neutral) planet, '' when none. */
  capturer: string;
  /** 0–100: capture progress of `capturer`, or the owner's hold when owned. */
  progress: number;
  /** Tick of the last ship built here (or of the capture). */
  lastMade: number;
  /** Ships built here so far (names the next one). */
  made: number;
}

/** The part of `Map` (and of schema's `MapSchema`) the rules use. */
export interface MapLike<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
  delete(key: string): unknown;
  has(key: string): boolean;
  forEach(fn: (value: V, key: string) => void): void;
  keys(): Iterable<string>;
  values(): Iterable<V>;
  entries(): Iterable<[string, V]>;
  readonly size: number;
}

/** The part of `Array` (and of schema's `ArraySchema`) the rules use. */
export interface ListLike<V> extends Iterable<V> {
  readonly length: number;
  push(...items: V[]): number;
}

/** One gameplay sector's state: the shard its czar writes. */
export interface SectorData {
  /** The czar's tick when the state was last written (replicas extrapolate from it). */
  tick: number;
  /** True once the czar filled in the planets. */
  ready: boolean;
  units: MapLike<UnitData>;
  planets: ListLike<PlanetData>;
  /** Players whose starting fleet was created here (spawning is idempotent). */
  spawned: MapLike<boolean>;
  /** Hand-off receipts: unit id → highest `hops` accepted. */
  seen: MapLike<number>;
  /** Ships accepted from other sectors so far (replicas log the increase). */
  arrivals: number;
  /** Key of the sector the last accepted ship came from. */
  lastFrom: string;
}

/** A player as the players shard stores it. */
export interface PlayerData {
  name: string;
  /** `#rrggbb`. */
  colour: string;
  /** The peer that speaks for this player now (updated when the player rejoins). */
  peer: string;
  /** Sector key of the start. */
  home: string;
  hx: number;
  hy: number;
  /** Arrival order, 0-based: picks the start. */
  index: number;
}

/** The players shard. */
export interface PlayersData {
  players: MapLike<PlayerData>;
}

/** Creates the collection elements: schema instances in the game, plain objects in tests. */
export interface Factory {
  unit(init: UnitData): UnitData;
  planet(init: PlanetData): PlanetData;
  player(init: PlayerData): PlayerData;
}

/** Plain objects (tests, previews). */
export const plainFactory: Factory = {
  unit: (u) => ({ ...u }),
  planet: (p) => ({ ...p }),
  player: (p) => ({ ...p }),
};

/** An empty sector state of plain objects and Maps. */
export function plainSector(): SectorData {
  return { tick: 0, ready: false, units: new Map(), planets: [], spawned: new Map(), seen: new Map(), arrivals: 0, lastFrom: '' };
}
