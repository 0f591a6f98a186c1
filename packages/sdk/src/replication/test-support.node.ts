/**
 * A small game state for replication tests: primitives, a map of units, arrays, and a seeded
 * random mutator that exercises adds, updates, deletes and array splices.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { randomInt, chance, type Rng } from '../util/rng.js';

export const TestUnit = schema(
  {
    x: t.int16(),
    y: t.int16(),
    heading: t.float32(),
    owner: t.string(),
  },
  'TestUnit',
);
export type TestUnit = SchemaType<typeof TestUnit>;

export const TestState = schema(
  {
    tick: t.uint32(),
    name: t.string(),
    paused: t.boolean(),
    units: t.map(TestUnit),
    log: t.array('string'),
    scores: t.array('int32'),
  },
  'TestState',
);
export type TestState = SchemaType<typeof TestState>;

const OWNERS = ['alice', 'bob', 'carol', 'dave'];

/** Applies 1–6 random mutations to `s`. */
export function mutateRandomly(s: TestState, rng: Rng): void {
  const n = 1 + randomInt(rng, 6);
  for (let i = 0; i < n; i++) {
    const key = `u${randomInt(rng, 12)}`;
    switch (randomInt(rng, 10)) {
      case 0:
        s.tick = (s.tick ?? 0) + 1;
        break;
      case 1:
        s.name = `room-${randomInt(rng, 1000)}`;
        s.paused = chance(rng, 0.5);
        break;
      case 2:
      case 3: {
        const u = new TestUnit();
        u.x = randomInt(rng, 65536) - 32768;
        u.y = randomInt(rng, 65536) - 32768;
        u.heading = Math.fround(rng.next() * 6.28);
        u.owner = OWNERS[randomInt(rng, OWNERS.length)] as string;
        s.units.set(key, u);
        break;
      }
      case 4:
        s.units.delete(key);
        break;
      case 5:
      case 6: {
        const u = s.units.get(key);
        if (u) {
          u.x = Math.max(-32768, Math.min(32767, u.x + randomInt(rng, 41) - 20));
          u.y = Math.max(-32768, Math.min(32767, u.y + randomInt(rng, 41) - 20));
        }
        break;
      }
      case 7:
        s.log.push(`e${randomInt(rng, 100)}`);
        if (s.log.length > 8) s.log.shift();
        break;
      case 8:
        s.scores.push(randomInt(rng, 2000) - 1000);
        break;
      case 9:
        if (s.scores.length > 0) s.scores.splice(randomInt(rng, s.scores.length), 1);
        break;
    }
  }
}
