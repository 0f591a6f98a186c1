/**
 * What other stacks would send for the seeded unit-movement workload of
 * `src/replication/positions-measure.ts`: a Yjs document, msgpack deltas and naive JSON full-state
 * pushes. Frames come from the same `simulateMovement`, and a unit counts as moving in a tick by
 * the same rule (its 1 cm-quantized position changed), so every figure divides by the same
 * moving unit-ticks as `measureBytesPerMovingUnit`.
 */
import { encode as msgpackEncode } from '@msgpack/msgpack';
import * as Y from 'yjs';
import { quantize } from '../../src/replication/positions.js';

/** One tick's positions in metres, indexed by unit id (as `simulateMovement` returns them). */
export type Frame = ReadonlyArray<{ readonly x: number; readonly y: number }>;

/** Bytes each alternative sent over the measured ticks (the initial state is not counted). */
export interface AlternativeBytes {
  /** Unit-ticks whose 1 cm-quantized position changed: the common denominator. */
  readonly movingUnitTicks: number;
  /** Yjs, `units: Y.Map<Y.Map>` with `x` and `y` set on each moving unit, one transaction per tick. */
  readonly yjsNestedMaps: number;
  /** Yjs, `units: Y.Map<[x, y]>`: each moving unit's entry replaced by a plain array. */
  readonly yjsArrays: number;
  /** `@msgpack/msgpack` `encode([{ id, x, y }, …])` of the units that moved, per tick. */
  readonly msgpack: number;
  /** `JSON.stringify([{ id, x, y }, …])` of every unit, every tick (what naive gossip pushes). */
  readonly jsonFull: number;
}

/** Metres rounded to 1 cm, as every encoding here (and ours) carries them. */
const cm = (metres: number): number => quantize(metres) / 100;

const utf8 = new TextEncoder();

/**
 * Yjs picks a random uint32 client id per document and writes it (as a varint) into every item's
 * origin, so update sizes depend on it. A fixed id keeps the figures deterministic; this one takes
 * 5 varint bytes, as 15 in 16 random ids do.
 */
const YJS_CLIENT_ID = 0x9e37_79b9;

function yjsDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = YJS_CLIENT_ID;
  return doc;
}

/**
 * Runs `frames` (frame 0 is the initial layout, not counted) through each alternative and
 * returns the bytes sent per encoding.
 */
export function measureAlternatives(frames: readonly Frame[]): AlternativeBytes {
  const initial = frames[0];
  if (!initial) throw new Error('measureAlternatives needs at least the initial frame');

  // Yjs, the way its docs model an object per entity: a map of maps.
  const nestedDoc = yjsDoc();
  const nestedUnits = nestedDoc.getMap<Y.Map<number>>('units');
  const nested: Array<Y.Map<number>> = [];
  nestedDoc.transact(() => {
    initial.forEach((p, id) => {
      const unit = new Y.Map<number>();
      nestedUnits.set(String(id), unit);
      unit.set('x', cm(p.x));
      unit.set('y', cm(p.y));
      nested.push(unit);
    });
  });
  // Yjs, the lighter model a developer might pick instead: each unit a plain [x, y] value.
  const arrayDoc = yjsDoc();
  const arrayUnits = arrayDoc.getMap<[number, number]>('units');
  arrayDoc.transact(() => initial.forEach((p, id) => arrayUnits.set(String(id), [cm(p.x), cm(p.y)])));

  // Listeners attach after the initial state, which every encoding sends as a snapshot.
  let yjsNestedMaps = 0;
  let yjsArrays = 0;
  nestedDoc.on('update', (update: Uint8Array) => void (yjsNestedMaps += update.length));
  arrayDoc.on('update', (update: Uint8Array) => void (yjsArrays += update.length));

  let msgpack = 0;
  let jsonFull = 0;
  let movingUnitTicks = 0;
  for (let tick = 1; tick < frames.length; tick++) {
    const prev = frames[tick - 1] as Frame;
    const now = frames[tick] as Frame;
    const moved: Array<{ id: number; x: number; y: number }> = [];
    for (let id = 0; id < now.length; id++) {
      const p = now[id] as { x: number; y: number };
      const q = prev[id] as { x: number; y: number };
      if (quantize(p.x) !== quantize(q.x) || quantize(p.y) !== quantize(q.y)) moved.push({ id, x: cm(p.x), y: cm(p.y) });
    }
    movingUnitTicks += moved.length;
    if (moved.length > 0) {
      nestedDoc.transact(() => {
        for (const m of moved) {
          const unit = nested[m.id] as Y.Map<number>;
          // Y.Map.set writes an item even for an unchanged value; a developer would skip those.
          if (unit.get('x') !== m.x) unit.set('x', m.x);
          if (unit.get('y') !== m.y) unit.set('y', m.y);
        }
      });
      arrayDoc.transact(() => {
        for (const m of moved) arrayUnits.set(String(m.id), [m.x, m.y]);
      });
      msgpack += msgpackEncode(moved).length;
    }
    jsonFull += utf8.encode(JSON.stringify(now.map((p, id) => ({ id, x: cm(p.x), y: cm(p.y) })))).length;
  }
  nestedDoc.destroy();
  arrayDoc.destroy();
  return { movingUnitTicks, yjsNestedMaps, yjsArrays, msgpack, jsonFull };
}
