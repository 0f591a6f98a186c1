/**
 * The replicated state classes (`@colyseus/schema` v5). They satisfy the game's plain data
 * interfaces (game/model.ts), so the pure rules run on them unchanged.
 *
 * Coordinates are int32 world units and ticks uint32: integers survive encoding exactly, so a
 * backup that takes over a sector simulates from precisely the czar's values.
 */
import { Encoder, schema, t, type SchemaType } from '@colyseus/schema';
import type { Factory } from '../game/model.js';

// A sector holding a few hundred ships encodes to more than schema's default 16 KiB scratch
// buffer; schema grows it anyway, but warns on every snapshot. Size it for the demo's states.
Encoder.BUFFER_SIZE = Math.max(Encoder.BUFFER_SIZE, 64 * 1024);

/** A ship. See `UnitData`. */
export const Unit = schema(
  {
    owner: t.string().default(''),
    x: t.int32().default(0),
    y: t.int32().default(0),
    tx: t.int32().default(0),
    ty: t.int32().default(0),
    t0: t.uint32().default(0),
    hp: t.uint8().default(0),
    hops: t.uint16().default(0),
    leaving: t.string().default(''),
  },
  'Unit',
);
export type Unit = SchemaType<typeof Unit>;

/** A planet. See `PlanetData`. */
export const Planet = schema(
  {
    x: t.int32().default(0),
    y: t.int32().default(0),
    r: t.uint8().default(0),
    owner: t.string().default(''),
    capturer: t.string().default(''),
    progress: t.uint8().default(0),
    lastMade: t.uint32().default(0),
    made: t.uint32().default(0),
  },
  'Planet',
);
export type Planet = SchemaType<typeof Planet>;

/** One gameplay sector's shard. See `SectorData`. */
export const Sector = schema(
  {
    tick: t.uint32().default(0),
    ready: t.boolean().default(false),
    units: t.map(Unit),
    planets: t.array(Planet),
    spawned: t.map('boolean'),
    seen: t.map('uint16'),
    arrivals: t.uint32().default(0),
    lastFrom: t.string().default(''),
  },
  'Sector',
);
export type Sector = SchemaType<typeof Sector>;

/** A player. See `PlayerData`. */
export const Player = schema(
  {
    name: t.string().default(''),
    colour: t.string().default('#888888'),
    peer: t.string().default(''),
    home: t.string().default(''),
    hx: t.int32().default(0),
    hy: t.int32().default(0),
    index: t.uint16().default(0),
  },
  'Player',
);
export type Player = SchemaType<typeof Player>;

/** The players shard. */
export const Players = schema({ players: t.map(Player) }, 'Players');
export type Players = SchemaType<typeof Players>;

/** Builds schema instances for the rules. */
export const schemaFactory: Factory = {
  unit: (u) => new Unit(u),
  planet: (p) => new Planet(p),
  player: (p) => new Player(p),
};
