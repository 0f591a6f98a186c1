/**
 * A small game state for replication tests: primitives, a map of units, arrays, and a seeded
 * random mutator that exercises adds, updates, deletes and array splices.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { randomInt, chance, type Rng } from '../util/rng.js';
import type { MembershipChange, MembershipView } from '../membership/types.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { Emitter } from '../util/emitter.js';

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

/**
 * A membership view the test sets by hand ({@link ScriptedMembership.set}): the view and the
 * transport's links can then disagree exactly as the test needs (a view that lags a new link, a
 * member whose link is down, a departure nobody noticed).
 */
export class ScriptedMembership implements MembershipView {
  private current: readonly PeerId[];
  private away: readonly PeerId[] = [];
  private versionNo = 0;
  private readonly events = new Emitter<{ change: MembershipChange }>();

  constructor(
    readonly self: PeerId,
    members: readonly string[] = [],
  ) {
    this.current = sortedIds([self, ...members]);
  }

  /** Replaces the view (self is always in it) and tells the listeners. */
  set(members: readonly string[], standby: readonly string[] = []): void {
    const before = new Set(this.current);
    this.current = sortedIds([this.self, ...members]);
    this.away = sortedIds(standby);
    this.versionNo++;
    const now = new Set(this.current);
    this.events.emit('change', {
      version: this.versionNo,
      members: this.current,
      standby: this.away,
      joined: this.current.filter((p) => !before.has(p)),
      left: [...before].filter((p) => !now.has(p)),
    });
  }

  members(): readonly PeerId[] {
    return this.current;
  }

  standby(): readonly PeerId[] {
    return this.away;
  }

  version(): number {
    return this.versionNo;
  }

  on(event: 'change', listener: (change: MembershipChange) => void): () => void {
    return this.events.on(event, listener);
  }

  dispose(): void {
    this.events.removeAll();
  }
}

function sortedIds(ids: readonly string[]): PeerId[] {
  return [...new Set(ids)].sort().map((p) => asPeerId(p));
}
