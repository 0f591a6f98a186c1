/**
 * One SDK `Room` per page, in the room named by `?room=`, driven by specs through `window.room`.
 * Every page declares the same eight shards; each page writes the shards it is czar of (on demand,
 * or every 50 ms while the write timer runs) and records what it sees: czar changes, rollbacks,
 * peers joining and leaving, its own claims, and the first change seen in each writing term.
 *
 * A closing tab is left to the SDK by default (`?pagehide=sdk`: the room hands its shards over and
 * says goodbye on `pagehide` by itself); `?pagehide=docs` also calls `room.leave()` from a
 * `pagehide` listener added after `joinRoom`, as the `Room.leave` TSDoc shows a game doing.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { AnarchyError } from '../../packages/sdk/src/errors.js';
import { joinRoom, type Room } from '../../packages/sdk/src/room.js';
import type { Attempt, ChangeRecord, RoomEventRecord, RoomPageApi, ShardValues } from './api.js';
import { describeError, reportStartupError, requiredParam } from './params.js';

const Cell = schema(
  {
    n: t.uint32().default(0),
    by: t.map('uint32'),
    acts: t.uint32().default(0),
    lastAct: t.string().default(''),
  },
  'E2eCell',
);
type Cell = SchemaType<typeof Cell>;

const SHARDS = Array.from({ length: 8 }, (_, i) => `s${i}`);
const DEFAULT_WRITE_EVERY_MS = 50;

/** Rejects malformed actions before touching the state, as a handler must ([ShardOptions.onAction]). */
function applyAction(state: Cell, action: unknown): number {
  const a = action as { add?: unknown; tag?: unknown } | null;
  if (a === null || typeof a !== 'object' || typeof a.add !== 'number' || !Number.isInteger(a.add) || a.add < 0 || typeof a.tag !== 'string') {
    throw new Error('an action is { add: non-negative integer, tag: string }');
  }
  state.acts += a.add;
  state.lastAct = a.tag;
  return state.acts;
}

const attemptError = (err: unknown): { ok: false; code: string; message: string } => ({
  ok: false,
  code: err instanceof AnarchyError ? err.code : 'not-an-anarchy-error',
  message: describeError(err),
});

async function main(): Promise<void> {
  const signalUrl = requiredParam('signal');
  const roomId = requiredParam('room');
  const pagehide = new URLSearchParams(location.search).get('pagehide') ?? 'sdk';
  if (pagehide !== 'sdk' && pagehide !== 'docs') throw new Error(`?pagehide=${pagehide}: use sdk or docs`);

  const joined = await joinRoom({ signalUrl, room: roomId, transportOptions: { iceServers: [] } });
  let timer: ReturnType<typeof setInterval> | undefined;
  window.addEventListener('pagehide', () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (pagehide === 'docs') void joined.leave();
  });
  const self = joined.self;

  const events: RoomEventRecord[] = [];
  const changes: Record<string, ChangeRecord> = {};
  const writes: Record<string, number> = {};
  const errors: string[] = [];
  const joinedAt: Record<string, number> = {};

  // Listeners before the shards exist, so the first claims and snapshots are recorded too.
  joined.on('change', ({ shard, czar, term }) => {
    const now = Date.now();
    const prev = changes[shard] ?? { count: 0, lastAt: now, terms: [] };
    const known = prev.terms.some((t) => t.term === term && t.czar === czar);
    changes[shard] = { count: prev.count + 1, lastAt: now, terms: known ? prev.terms : [...prev.terms, { term, czar, at: now }] };
  });
  joined.on('trace', (e) => {
    if (e.type === 'claim') events.push({ type: 'claim', at: Date.now(), shard: e.shard, term: e.term, from: e.from });
  });
  joined.on('czar', (e) =>
    events.push({ type: 'czar', at: Date.now(), shard: e.shard, czar: e.czar ?? null, backups: [...e.backups], term: e.term ?? null, writer: e.writer ?? null }),
  );
  joined.on('rollback', (e) =>
    events.push({ type: 'rollback', at: Date.now(), shard: e.shard, term: e.term, czar: e.czar, lastSeq: e.lastSeq, unsent: e.unsent, byTerm: e.by.term, byCzar: e.by.czar }),
  );
  joined.on('error', (err) => errors.push(describeError(err)));
  for (const peer of joined.transport.peers()) joinedAt[peer] = Date.now();
  joined.transport.on('peer-joined', ({ peer }) => {
    joinedAt[peer] ??= Date.now();
    events.push({ type: 'peer-joined', at: Date.now(), peer });
  });
  joined.transport.on('peer-left', ({ peer, reason }) => events.push({ type: 'peer-left', at: Date.now(), peer, reason }));

  for (const id of SHARDS) joined.declareShard<Cell>(id, Cell, { onAction: (state, action) => applyAction(state, action) });

  const write = (shard: string): void => {
    joined.mutate<Cell, void>(shard, (s) => {
      s.n += 1;
      s.by.set(self, (s.by.get(self) ?? 0) + 1);
    });
    writes[shard] = (writes[shard] ?? 0) + 1;
  };

  const mutateOwned = (): string[] => {
    const done: string[] = [];
    for (const shard of SHARDS) {
      if (!joined.isCzar(shard)) continue;
      try {
        write(shard);
        done.push(shard);
      } catch (err) {
        errors.push(`write ${shard}: ${describeError(err)}`);
      }
    }
    return done;
  };

  const perShard = <T>(fn: (shard: string) => T): Record<string, T> => Object.fromEntries(SHARDS.map((s) => [s, fn(s)]));

  const api: RoomPageApi = {
    id: self,
    shards: SHARDS,
    peers: () => [...joined.peers()],
    joinedAt,
    mutateOwned,
    tryMutate(shard): Attempt {
      try {
        write(shard);
        return { ok: true, value: undefined };
      } catch (err) {
        return attemptError(err);
      }
    },
    async act(shard, add, tag): Promise<Attempt<number>> {
      try {
        return { ok: true, value: await joined.act<number>(shard, { add, tag }) };
      } catch (err) {
        return attemptError(err);
      }
    },
    writes,
    startMutating(everyMs = DEFAULT_WRITE_EVERY_MS) {
      timer ??= setInterval(mutateOwned, everyMs);
    },
    stopMutating() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    hashes: () => perShard((s) => joined.stateHash(s)),
    czars: () => perShard((s) => joined.czarOf(s) ?? null),
    backups: () => perShard((s) => [...joined.backupsOf(s)]),
    owned: () => SHARDS.filter((s) => joined.isCzar(s)),
    terms: () =>
      perShard((s) => {
        const term = joined.termOf(s);
        return term === undefined ? null : `${term.term}@${term.czar}#${term.seq}`;
      }),
    values(shard): ShardValues {
      const s = joined.state<Cell>(shard);
      const by: Record<string, number> = {};
      s.by.forEach((value, key) => {
        by[key] = value;
      });
      return { n: s.n, by, acts: s.acts, lastAct: s.lastAct };
    },
    events,
    changes,
    errors,
    leave: () => joined.leave(),
  };
  window.room = api;
}

main().catch(reportStartupError);
