/**
 * Test and benchmark support (excluded from the build): a cluster of {@link Room}s on one
 * {@link SimNetwork}, with the replication invariants checked on every protocol event
 * ({@link InvariantChecker}) and a convergence check for quiet periods.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import type { ReplicationTrace, ShardOptions } from '../replication/engine-types.js';
import type { StateSource } from '../replication/shard-store.js';
import type { Schema } from '@colyseus/schema';
import { Room, type RoomOptions } from '../room.js';
import { SimNetwork, type LinkOptions, type SimTransportOptions } from '../transport/sim/index.js';
import { SeededRng, chance, randomInt, type Rng } from '../util/rng.js';
import type { Clock } from '../util/clock.js';

/** A shard state exercising primitives, a map and arrays (whose ops are not idempotent). */
export const FuzzState = schema(
  {
    tick: t.uint32(),
    names: t.map('string'),
    log: t.array('string'),
    scores: t.array('int32'),
  },
  'FuzzState',
);
export type FuzzState = SchemaType<typeof FuzzState>;

/** Applies 1–4 random changes. */
export function mutateFuzz(s: FuzzState, rng: Rng): void {
  const n = 1 + randomInt(rng, 4);
  for (let i = 0; i < n; i++) {
    switch (randomInt(rng, 6)) {
      case 0:
        s.tick = (s.tick ?? 0) + 1;
        break;
      case 1:
        s.names.set(`k${randomInt(rng, 8)}`, `v${randomInt(rng, 100)}`);
        break;
      case 2:
        s.names.delete(`k${randomInt(rng, 8)}`);
        break;
      case 3:
        s.log.push(`e${randomInt(rng, 100)}`);
        if (s.log.length > 6) s.log.shift();
        break;
      case 4:
        s.scores.push(randomInt(rng, 2000) - 1000);
        break;
      case 5:
        if (s.scores.length > 0) s.scores.splice(randomInt(rng, s.scores.length), 1);
        break;
    }
  }
}

/** The fuzz shards' action handler: `{ add }` bumps the tick, `{ log }` appends, `{ fail }` throws. */
export const fuzzOnAction: NonNullable<ShardOptions<FuzzState>['onAction']> = (state, action) => {
  const a = action as { add?: number; log?: string; fail?: boolean };
  if (a.fail) throw new Error('refused by the handler');
  if (typeof a.add === 'number') state.tick = (state.tick ?? 0) + a.add;
  if (typeof a.log === 'string') {
    state.log.push(a.log);
    if (state.log.length > 6) state.log.shift();
  }
  return state.tick;
};

interface Accepted {
  term: number;
  czar: string;
  tag?: number;
  confirmed?: boolean;
  seq: number;
}

/** Terms in the order a replica may move through them ([R7]): number, confirmed over not, czar, instance tag. */
const cmp = (a: { term: number; czar: string; tag?: number; confirmed?: boolean }, b: { term: number; czar: string; tag?: number; confirmed?: boolean }): number => {
  if (a.term !== b.term) return a.term - b.term;
  const same = a.czar === b.czar && (a.tag ?? 0) === (b.tag ?? 0);
  if (!same && (a.confirmed ?? false) !== (b.confirmed ?? false)) return a.confirmed ? 1 : -1;
  if (a.czar !== b.czar) return a.czar < b.czar ? -1 : 1;
  return (a.tag ?? 0) === (b.tag ?? 0) ? 0 : (a.tag ?? 0) >>> 0 < (b.tag ?? 0) >>> 0 ? -1 : 1;
};

/**
 * Checks, on every trace event of every room ([R7]–[R10]):
 * - one writer per (shard, term number) while `strict` (no crash so far): every claim and every
 *   accepted message of a term number names the same czar. A crash can let two peers claim the
 *   same number unknowingly; terms are (number, czar) pairs, so then the check is per pair and
 *   the collision is only counted ({@link InvariantChecker.collisions});
 * - every accepted message belongs to a term its czar claimed;
 * - each replica's terms only move forward, and within a term deltas apply in seq order, each
 *   once (snapshots may jump ahead);
 * - a delta accepted anywhere is byte for byte the one its czar sent under that (term, seq).
 */
export class InvariantChecker {
  readonly violations: string[] = [];
  /** Term numbers claimed by two czars (only possible after a crash). */
  collisions = 0;
  /** Off once a peer crashed: number collisions are then counted, not failures. */
  strict = true;
  private readonly writers = new Map<string, string>();
  private readonly claimed = new Set<string>();
  private readonly sent = new Map<string, number>();
  private readonly last = new Map<string, Accepted>();
  /** Peers whose last status was degraded ([R26]). */
  private readonly degraded = new Set<string>();
  events = 0;

  attach(room: Room): () => void {
    const self = room.self;
    return room.on('trace', (e) => this.check(self, e));
  }

  private fail(msg: string): void {
    if (this.violations.length < 20) this.violations.push(msg);
  }

  private writer(shard: string, term: number, czar: string, what: string): void {
    const key = `${shard}#${term}`;
    const known = this.writers.get(key);
    if (known === undefined) this.writers.set(key, czar);
    else if (known !== czar) {
      if (this.strict) this.fail(`two writers for (${shard}, term ${term}): ${known} and ${czar} (${what})`);
      else if (what.startsWith('claim')) this.collisions++;
    }
  }

  check(self: string, e: ReplicationTrace): void {
    this.events++;
    switch (e.type) {
      case 'claim': {
        // [R26]: the minority side of a partition never opens a term.
        if (this.degraded.has(self)) this.fail(`${self} claimed ${e.shard} term ${e.term} while it had no majority`);
        // A shard created alone is provisional ([R11]): it counts as a writer once someone accepts it.
        if (e.from !== 'fresh') this.writer(e.shard, e.term, e.czar, `claim by ${self}`);
        this.claimed.add(`${e.shard}#${e.term}#${e.czar}`);
        if (e.czar !== self) this.fail(`${self} claimed for ${e.czar}`);
        const k = `${self}|${e.shard}`;
        const prev = this.last.get(k);
        if (prev && cmp({ term: e.term, czar: e.czar, tag: e.tag }, prev) <= 0) this.fail(`${self} claimed ${e.shard} term ${e.term} not above its ${prev.term}@${prev.czar}`);
        this.last.set(k, { term: e.term, czar: e.czar, tag: e.tag, confirmed: false, seq: 0 });
        return;
      }
      case 'sent': {
        const k = `${self}|${e.shard}`;
        const prev = this.last.get(k);
        if (!prev || prev.czar !== self || prev.term !== e.term) this.fail(`${self} sent ${e.shard} ${e.term}/${e.seq} without holding that term`);
        else if (e.seq !== prev.seq + 1) this.fail(`${self} sent ${e.shard} seq ${e.seq} after ${prev.seq}`);
        else prev.seq = e.seq;
        this.sent.set(`${e.shard}#${e.term}#${self}#${e.seq}`, e.digest);
        return;
      }
      case 'accept': {
        this.writer(e.shard, e.term, e.czar, `accepted by ${self}`);
        if (!this.claimed.has(`${e.shard}#${e.term}#${e.czar}`)) this.fail(`${self} accepted ${e.shard} term ${e.term}@${e.czar}, which ${e.czar} never claimed`);
        const k = `${self}|${e.shard}`;
        const prev = this.last.get(k);
        const c = prev ? cmp(e, prev) : 1;
        if (c < 0) this.fail(`${self} accepted ${e.shard} term ${e.term}@${e.czar} after ${prev!.term}@${prev!.czar}`);
        if (e.kind === 'delta') {
          if (c !== 0) this.fail(`${self} applied a delta of ${e.shard} term ${e.term}@${e.czar} without its snapshot`);
          else if (e.seq !== prev!.seq + 1) this.fail(`${self} applied ${e.shard} delta ${e.seq} after ${prev!.seq} (term ${e.term})`);
          const digest = this.sent.get(`${e.shard}#${e.term}#${e.czar}#${e.seq}`);
          if (digest === undefined) this.fail(`${self} applied ${e.shard} delta ${e.term}/${e.seq} that ${e.czar} never sent`);
          else if (digest !== e.digest) this.fail(`${self} applied different bytes for ${e.shard} delta ${e.term}/${e.seq}`);
        } else if (c === 0 && e.seq < prev!.seq) {
          this.fail(`${self} went back to snapshot seq ${e.seq} < ${prev!.seq} of ${e.shard}`);
        }
        this.last.set(k, { term: e.term, czar: e.czar, tag: e.tag, confirmed: e.confirmed, seq: e.seq });
        return;
      }
      case 'status':
        if (e.status === 'degraded') this.degraded.add(self);
        else this.degraded.delete(self);
        return;
      case 'abandon': {
        // A term created alone and never announced is dropped: as if it had never been claimed.
        const key = `${e.shard}#${e.term}`;
        if (this.writers.get(key) === e.czar) this.writers.delete(key);
        this.claimed.delete(`${e.shard}#${e.term}#${e.czar}`);
        this.last.delete(`${self}|${e.shard}`);
        return;
      }
      case 'handoff':
      case 'step-down':
      case 'confirm':
      case 'commit':
        return;
    }
  }

  /** Forget a peer's bookkeeping (it crashed; a rejoin under the same id starts over). */
  forget(self: string): void {
    this.degraded.delete(self);
    for (const k of [...this.last.keys()]) if (k.startsWith(`${self}|`)) this.last.delete(k);
  }
}

export interface ClusterShard {
  readonly id: string;
  readonly State: StateSource<Schema>;
  readonly options?: ShardOptions<Schema>;
}

export interface ClusterOptions {
  readonly seed: number;
  readonly link?: Partial<LinkOptions>;
  readonly transport?: SimTransportOptions;
  readonly room?: Omit<RoomOptions, 'transport'>;
  readonly shards: readonly ClusterShard[];
  /** Receives every trace event as a line (debugging a seed). */
  readonly log?: (line: string) => void;
}

/** Rooms on one simulated network, all checked by one {@link InvariantChecker}. */
export class SimCluster {
  readonly net: SimNetwork;
  readonly checker = new InvariantChecker();
  readonly rooms = new Map<string, Room>();
  readonly errors: string[] = [];
  private readonly rngFor: SeededRng;
  private joined = 0;

  constructor(private readonly options: ClusterOptions) {
    this.net = new SimNetwork({
      seed: options.seed,
      ...(options.link ? { defaultLink: options.link } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
    });
    this.rngFor = new SeededRng(options.seed ^ 0x5eed);
  }

  /** Joins a peer, creates its room and declares the shards (each peer may have its own clock, shards and player id). */
  add(
    id = `p${this.joined}`,
    extra: { readonly clock?: Clock; readonly playerId?: string; readonly shards?: readonly ClusterShard[]; readonly room?: Partial<Omit<RoomOptions, 'transport'>> } = {},
  ): Room {
    this.joined++;
    const transport = this.net.join(id);
    const room = Room.create({
      ...this.options.room,
      transport,
      clock: extra.clock ?? this.net.clock,
      rng: this.rngFor.fork(),
      ...(extra.playerId === undefined ? {} : { playerId: extra.playerId }),
      ...extra.room,
    });
    this.checker.attach(room);
    const log = this.options.log;
    if (log) {
      room.on('trace', (e) => log(`${this.net.now()} ${id} ${JSON.stringify(e)}`));
      room.on('czar', (e) => log(`${this.net.now()} ${id} czar ${JSON.stringify(e)}`));
      room.on('rollback', (e) => log(`${this.net.now()} ${id} rollback ${JSON.stringify(e)}`));
      room.on('error', (e) => log(`${this.net.now()} ${id} error ${e.code} ${e.message}`));
      transport.on('peer-joined', ({ peer }) => log(`${this.net.now()} ${id} link+ ${peer}`));
      transport.on('peer-left', ({ peer, reason }) => log(`${this.net.now()} ${id} link- ${peer} (${reason})`));
      room.membership.on('change', () => log(`${this.net.now()} ${id} view [${room.membership.members().join(',')}] standby [${room.membership.standby().join(',')}]`));
    }
    room.on('error', (e) => {
      if (this.errors.length < 20) this.errors.push(`${id}: ${e.code}: ${e.message}`);
    });
    for (const s of extra.shards ?? this.options.shards) room.declareShard(s.id, s.State, s.options ?? {});
    this.rooms.set(id, room);
    return room;
  }

  /** Live rooms in join order. */
  live(): Room[] {
    return [...this.rooms.values()].filter((r) => !r.closed);
  }

  /** The room writing `shard` now, if exactly one live room does. */
  czarRoom(shard: string): Room | undefined {
    const w = this.live().filter((r) => r.isCzar(shard));
    return w.length === 1 ? w[0] : undefined;
  }

  /** Kills a peer without a goodbye (its engine stops, as a crashed tab's would). */
  crash(id: string): void {
    const room = this.rooms.get(id);
    if (!room) return;
    this.net.crash(id);
    this.checker.strict = false;
    (room as unknown as { halt(): void }).halt();
    this.rooms.delete(id);
    this.checker.forget(id);
  }

  /** Starts a graceful leave; the caller runs the clock until it settles. */
  leave(id: string): Promise<void> {
    const room = this.rooms.get(id);
    if (!room) return Promise.resolve();
    return room.leave();
  }

  run(ms: number): void {
    this.net.run(ms);
  }

  /**
   * Runs the clock in 10 ms steps until `p` settles or `ms` have passed (the virtual clock does
   * not run by itself), then returns `p`.
   */
  async runUntilSettled<T>(p: Promise<T>, ms: number): Promise<T> {
    let done = false;
    void p.then(
      () => (done = true),
      () => (done = true),
    );
    for (let waited = 0; !done && waited < ms; waited += 10) {
      this.run(10);
      await Promise.resolve();
    }
    return p;
  }

  /**
   * Why the live rooms have not converged, or undefined when they have: for every shard, one
   * live czar (the one the view names), and every room on its term and seq with its state hash.
   */
  divergence(): string | undefined {
    const rooms = this.live();
    for (const s of this.options.shards) {
      const czars = rooms.filter((r) => r.isCzar(s.id));
      if (czars.length !== 1) return `${s.id}: ${czars.length} czars (${czars.map((r) => r.self).join(', ')})`;
      const czar = czars[0]!;
      const named = new Set(rooms.map((r) => r.czarOf(s.id)));
      if (named.size !== 1 || !named.has(czar.self)) return `${s.id}: czar ${czar.self} but views name ${[...named].join(', ')}`;
      const t = czar.termOf(s.id)!;
      for (const r of rooms) {
        const rt = r.termOf(s.id);
        if (!rt || rt.term !== t.term || rt.czar !== t.czar || rt.seq !== t.seq) {
          return `${s.id}: ${r.self} holds ${rt ? `${rt.term}@${rt.czar}/${rt.seq}` : 'nothing'}, czar ${t.term}@${t.czar}/${t.seq}`;
        }
      }
      const hash = czar.stateHash(s.id);
      for (const r of rooms) if (r.stateHash(s.id) !== hash) return `${s.id}: ${r.self} hash ${r.stateHash(s.id)} != czar's ${hash}`;
    }
    return undefined;
  }

  /** Runs until converged (checked every `stepMs`) or `maxMs` passed; returns the last divergence. */
  settle(maxMs: number, stepMs = 100): string | undefined {
    let problem = this.divergence();
    for (let waited = 0; problem !== undefined && waited < maxMs; waited += stepMs) {
      this.run(stepMs);
      problem = this.divergence();
    }
    return problem;
  }
}

/** A random change by `room` to `shard` if it is czar there, else an action (returns its promise). */
export function randomWrite(room: Room, shard: string, rng: Rng): Promise<unknown> | undefined {
  if (room.isCzar(shard)) {
    room.mutate<FuzzState, void>(shard, (s) => mutateFuzz(s, rng));
    return undefined;
  }
  const action = chance(rng, 0.1) ? { fail: true } : chance(rng, 0.5) ? { add: 1 + randomInt(rng, 5) } : { log: `a${randomInt(rng, 100)}` };
  return room.act(shard, action);
}
