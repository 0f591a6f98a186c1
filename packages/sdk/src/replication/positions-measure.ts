/**
 * Measures the position stream against what a developer would otherwise send, on one seeded
 * RTS-like workload: the same unit movements go through our encoder, through plain
 * `@colyseus/schema` patches and through JSON of the changed units.
 */
import { Encoder, schema, t } from '@colyseus/schema';
import { ArgumentError } from '../errors.js';
import { SeededRng, chance } from '../util/rng.js';
import { PositionStreamEncoder, quantize, type PositionEncoderOptions, type PositionSample } from './positions.js';

/** The workload: units wander a square world, turning and stopping now and then. */
export interface MovementWorkload {
  /** Units in the shard. Default 500. */
  readonly units?: number;
  /** Ticks measured (after the initial sync, which is not counted). Default 200 (10 s). */
  readonly ticks?: number;
  /** Mean speed in m/s; each unit moves at 0.5–1.5× this (default 2: 1–3 m/s). */
  readonly speed?: number;
  /** Seed of the movement. Default 1. */
  readonly seed?: number;
  /** Simulation and send rate in Hz. Default 20. */
  readonly tickHz?: number;
  /** Side of the square world in metres. Default 1000. */
  readonly worldSize?: number;
}

/** Bytes per moving unit per tick, for each encoding. */
export interface BytesPerMovingUnit {
  /** {@link PositionStreamEncoder}, 1 cm quantization, keyframes included. */
  readonly ours: number;
  /** Schema map of `{ x: float32, y: float32 }` in metres: what a developer would write first. */
  readonly schema: number;
  /** Schema map of `{ x: int16, y: int16 }` in {@link schemaInt16Unit}s. */
  readonly schemaInt16: number;
  /** `cm` when the world fits int16 centimetres (≤ 327 m), else `dm` (coarser than ours). */
  readonly schemaInt16Unit: 'cm' | 'dm';
  /** `JSON.stringify([{ id, x, y }, …])` of the units that moved, metres rounded to 1 cm. */
  readonly json: number;
  /** Unit-ticks with a changed (1 cm) position: the common denominator. */
  readonly movingUnitTicks: number;
  /** Share of our bytes spent in keyframes. */
  readonly keyframeShare: number;
}

interface Unit {
  x: number;
  y: number;
  heading: number;
  speed: number;
  moving: boolean;
}

/** Per tick, chance that a unit picks a new heading (about every 2.5 s at 20 Hz). */
const TURN_CHANCE = 0.02;
/** Per tick, chance that a moving unit stops (about every 10 s at 20 Hz). */
const STOP_CHANCE = 0.005;
/** Per tick, chance that a stopped unit starts again (about every 2.5 s at 20 Hz). */
const START_CHANCE = 0.02;

/**
 * Generates the seeded trajectories: `frames[0]` is the initial layout, then one entry per tick,
 * each unit's position in metres.
 */
export function simulateMovement(w: Required<MovementWorkload>): Array<Array<{ x: number; y: number }>> {
  const rng = new SeededRng(w.seed);
  const units: Unit[] = Array.from({ length: w.units }, () => ({
    x: rng.next() * w.worldSize,
    y: rng.next() * w.worldSize,
    heading: rng.next() * 2 * Math.PI,
    speed: w.speed * (0.5 + rng.next()),
    moving: rng.next() < 0.8,
  }));
  const frames = [units.map((u) => ({ x: u.x, y: u.y }))];
  const dt = 1 / w.tickHz;
  for (let tick = 0; tick < w.ticks; tick++) {
    for (const u of units) {
      if (u.moving ? chance(rng, STOP_CHANCE) : chance(rng, START_CHANCE)) u.moving = !u.moving;
      if (chance(rng, TURN_CHANCE)) u.heading = rng.next() * 2 * Math.PI;
      if (!u.moving) continue;
      u.x += Math.cos(u.heading) * u.speed * dt;
      u.y += Math.sin(u.heading) * u.speed * dt;
      // Bounce off the walls so units stay inside the world (and inside int16 decimetres).
      if (u.x < 0 || u.x > w.worldSize) {
        u.heading = Math.PI - u.heading;
        u.x = Math.min(w.worldSize, Math.max(0, u.x));
      }
      if (u.y < 0 || u.y > w.worldSize) {
        u.heading = -u.heading;
        u.y = Math.min(w.worldSize, Math.max(0, u.y));
      }
    }
    frames.push(units.map((u) => ({ x: u.x, y: u.y })));
  }
  return frames;
}

const BenchPosF32 = schema({ x: t.float32(), y: t.float32() }, 'BenchPosF32');
const BenchWorldF32 = schema({ units: t.map(BenchPosF32) }, 'BenchWorldF32');
const BenchPosI16 = schema({ x: t.int16(), y: t.int16() }, 'BenchPosI16');
const BenchWorldI16 = schema({ units: t.map(BenchPosI16) }, 'BenchWorldI16');

/** Fills in defaults and checks ranges. */
export function resolveWorkload(w: MovementWorkload = {}): Required<MovementWorkload> {
  const r = { units: 500, ticks: 200, speed: 2, seed: 1, tickHz: 20, worldSize: 1000, ...w };
  if (!Number.isInteger(r.units) || r.units < 1 || !Number.isInteger(r.ticks) || r.ticks < 1 || !(r.speed >= 0) || !(r.tickHz > 0)) {
    throw new ArgumentError('Workload needs integer units >= 1, ticks >= 1, speed >= 0 and tickHz > 0.', { workload: r });
  }
  if (!(r.worldSize > 0 && r.worldSize <= 3000)) {
    throw new ArgumentError('worldSize must be in (0, 3000] metres so the int16 decimetre baseline fits.', { worldSize: r.worldSize });
  }
  return r;
}

/**
 * Runs the same seeded movement through our position stream, schema patches (float32 metres and
 * int16 decimetres) and JSON, and returns bytes per moving unit per tick for each.
 */
export function measureBytesPerMovingUnit(workload: MovementWorkload = {}, options: PositionEncoderOptions = {}): BytesPerMovingUnit {
  const w = resolveWorkload(workload);
  const frames = simulateMovement(w);
  const initial = frames[0] as Array<{ x: number; y: number }>;

  const ours = new PositionStreamEncoder(options);
  const samples = (f: Array<{ x: number; y: number }>): PositionSample[] => f.map((p, id) => ({ id, x: quantize(p.x), y: quantize(p.y) }));
  ours.encode(samples(initial));

  const f32 = new BenchWorldF32();
  const i16 = new BenchWorldI16();
  const f32Units = initial.map((p, id) => {
    const u = new BenchPosF32();
    u.x = p.x;
    u.y = p.y;
    f32.units.set(String(id), u);
    return u;
  });
  const int16Unit = w.worldSize <= 327 ? 'cm' : 'dm';
  const perMetre = int16Unit === 'cm' ? 100 : 10;
  const i16Units = initial.map((p, id) => {
    const u = new BenchPosI16();
    u.x = Math.round(p.x * perMetre);
    u.y = Math.round(p.y * perMetre);
    i16.units.set(String(id), u);
    return u;
  });
  const f32Enc = new Encoder(f32);
  const i16Enc = new Encoder(i16);
  // The initial full state is a snapshot for every encoding; only the per-tick stream counts.
  f32Enc.discardChanges();
  i16Enc.discardChanges();

  let oursBytes = 0;
  let keyframeBytes = 0;
  let f32Bytes = 0;
  let i16Bytes = 0;
  let jsonBytes = 0;
  let moving = 0;
  for (let tick = 1; tick < frames.length; tick++) {
    const prev = frames[tick - 1] as Array<{ x: number; y: number }>;
    const now = frames[tick] as Array<{ x: number; y: number }>;
    const moved: Array<{ id: number; x: number; y: number }> = [];
    for (let id = 0; id < now.length; id++) {
      const p = now[id] as { x: number; y: number };
      const q = prev[id] as { x: number; y: number };
      if (p.x === q.x && p.y === q.y) continue;
      const f = f32Units[id] as InstanceType<typeof BenchPosF32>;
      f.x = p.x;
      f.y = p.y;
      const d = i16Units[id] as InstanceType<typeof BenchPosI16>;
      const dx = Math.round(p.x * perMetre);
      const dy = Math.round(p.y * perMetre);
      if (d.x !== dx) d.x = dx;
      if (d.y !== dy) d.y = dy;
      if (quantize(p.x) !== quantize(q.x) || quantize(p.y) !== quantize(q.y)) {
        moving++;
        moved.push({ id, x: quantize(p.x) / 100, y: quantize(p.y) / 100 });
      }
    }
    const frame = ours.encode(samples(now));
    oursBytes += frame.bytes.length;
    if (frame.kind === 'keyframe') keyframeBytes += frame.bytes.length;
    f32Bytes += f32Enc.encode().length;
    f32Enc.discardChanges();
    i16Bytes += i16Enc.encode().length;
    i16Enc.discardChanges();
    if (moved.length > 0) jsonBytes += new TextEncoder().encode(JSON.stringify(moved)).length;
  }
  const per = (bytes: number): number => (moving === 0 ? 0 : bytes / moving);
  return {
    ours: per(oursBytes),
    schema: per(f32Bytes),
    schemaInt16: per(i16Bytes),
    schemaInt16Unit: int16Unit,
    json: per(jsonBytes),
    movingUnitTicks: moving,
    keyframeShare: oursBytes === 0 ? 0 : keyframeBytes / oursBytes,
  };
}
