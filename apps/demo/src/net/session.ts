/**
 * The game over a room: declares the shards (the players list and one shard per gameplay
 * sector), runs the czar side of the sectors this peer writes on a timer (czar.ts), follows the
 * replicas' clocks, and offers the UI and bots what they need: join, orders, the ship table, a
 * per-sector clock, a log of failovers, czar moves and hand-offs.
 */
import { systemClock, type Clock, type TimerHandle } from '@anarchy/sdk';
import { FLEET_SIZE, MAX_EXTRAPOLATION_TICKS, PLAYERS_SHARD, TICK_MS } from '../game/constants.js';
import { MAX_ORDERS_PER_ACTION, parseHello, planMove, type MoveOrder } from '../game/actions.js';
import { SECTORS, SECTOR_BY_KEY } from '../game/galaxy.js';
import { VIEW_MARGIN, cellRange, interestingSectors, sameRange, type CellRange } from '../game/interest.js';
import type { Rect } from '../game/model.js';
import { applyHello, type Welcome } from '../game/players.js';
import { WorldTable } from '../game/world.js';
import { CzarDriver, type TickClock } from './czar.js';
import { Emitter } from './emitter.js';
import type { ChangeLike, CzarLike, RoomPort } from './port.js';
import { Players, Sector, schemaFactory, type Player } from './schema.js';
import type { LogEntry, LogKind } from './devtools-api.js';

/** How often (in czar ticks) a player checks that the player list still names it: 2 s. */
const LISTED_CHECK_TICKS = 20;

/**
 * How often (in czar ticks) the declared sectors are recomputed for own ships' paths, planets and
 * czar duties: 0.5 s, while a ship needs about 17 s to cross a sector. A view change redeclares at once.
 */
const INTEREST_CHECK_TICKS = 5;

/**
 * The room option every peer of the demo joins with (the setting must be the same on every peer):
 * sectors reach only the peers that declared them (game/interest.ts) plus their czar and backups;
 * the player list reaches everyone.
 */
export const ROOM_INTEREST = { scoped: (shard: string): boolean => shard !== PLAYERS_SHARD } as const;

/** Who this peer plays as. */
export interface Profile {
  /** Stable across reloads of one tab (sessionStorage), so a reload takes the fleet back. */
  readonly playerId: string;
  readonly name: string;
  /** `#rrggbb`. */
  readonly colour: string;
}


export type { LogEntry, LogKind };

/** Events of a session. */
export interface SessionEvents {
  log: LogEntry;
  /** The player is registered and its fleet exists. */
  ready: Welcome;
}

/** Options of {@link GameSession}. */
export interface SessionOptions {
  readonly room: RoomPort;
  readonly profile: Profile;
  /** Default: the system clock. Tests pass the simulated network's clock. */
  readonly clock?: Clock;
  /** Starting fleet size. Default `FLEET_SIZE`. */
  readonly fleet?: number;
}

/** Pause before a move order is retried for ships that changed sector meanwhile, in ms. */
export const ORDER_RETRY_MS = 400;

const short = (peer: string | undefined): string => (peer === undefined ? 'nobody' : peer.slice(0, 6));
const errorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

function isWelcome(v: unknown): v is Welcome {
  if (typeof v !== 'object' || v === null) return false;
  const w = v as Record<string, unknown>;
  return (
    typeof w['home'] === 'string' &&
    SECTOR_BY_KEY.has(w['home']) &&
    typeof w['x'] === 'number' &&
    typeof w['y'] === 'number' &&
    typeof w['index'] === 'number' &&
    typeof w['colour'] === 'string'
  );
}

/** One peer's game: see the module comment. */
export class GameSession {
  readonly room: RoomPort;
  /** The player's profile; {@link GameSession.updateProfile} changes name and colour. */
  profile: Profile;
  readonly events = new Emitter<SessionEvents>();
  /** Every ship; call {@link GameSession.refresh} (or {@link GameSession.positionsAt}) before reading. */
  readonly world = new WorldTable();
  /** Each sector's clock (fractional ticks) as of the last {@link GameSession.positionsAt}. */
  readonly ticks = new Float64Array(SECTORS.length);
  /** Set once joined: where this player started. */
  welcome: Welcome | undefined;
  /** Bumped by every shard change; readers rebuild derived data when it moved. */
  version = 0;
  /** Bumped when the player list changes. */
  playersVersion = 0;

  private readonly clock: Clock;
  private readonly fleet: number;
  private builtVersion = -1;
  private readonly czar: CzarDriver;
  /** Replica anchors per sector index: the last written tick seen and when. */
  private readonly anchors: TickClock[] = SECTORS.map(() => ({ tick: 0, at: 0 }));
  private readonly arrivalsSeen: number[] = SECTORS.map(() => -1);
  private readonly lastCzar = new Map<string, string | undefined>();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: TimerHandle | undefined;
  private rehello: Promise<void> | undefined;
  private stopped = false;
  /** The sectors the view touches; `'all'` until a view reports (bots never do). */
  private viewRange: CellRange | undefined | 'all' = 'all';
  /** The sector keys declared last. */
  private declared: readonly string[] = [];
  private declaredKey = '';
  /** While the czar loop mutates this shard, its local change event is held back (see step). */
  private quietShard: string | undefined;
  private quietChange: ChangeLike | undefined;

  constructor(options: SessionOptions) {
    this.room = options.room;
    this.profile = options.profile;
    this.clock = options.clock ?? systemClock;
    this.fleet = options.fleet ?? FLEET_SIZE;
    this.czar = new CzarDriver({
      room: this.room,
      clock: this.clock,
      replicaTick: (i, now) => this.replicaTick(i, now),
      players: () => this.players(),
      nameOf: (id) => this.nameOf(id),
      log: (kind, text) => this.log(kind, text),
      beginWrite: (shard) => {
        this.quietShard = shard;
        this.quietChange = undefined;
      },
      endWrite: (changed) => {
        const held = this.quietChange;
        this.quietShard = undefined;
        this.quietChange = undefined;
        if (changed && held) this.onChange(held);
      },
      live: () => this.live(),
    });
    this.room.declareShard(PLAYERS_SHARD, Players, {
      onAction: (state, action, ctx) => applyHello(state, parseHello(action), ctx.from, schemaFactory),
    });
    for (const info of SECTORS) {
      this.room.declareShard(info.key, Sector, { onAction: (state, action, ctx) => this.czar.onAction(info, state, action, ctx.from) });
    }
    this.unsubscribe.push(
      this.room.on('change', (c) => this.onChange(c)),
      this.room.on('czar', (e) => this.onCzar(e)),
    );
    this.updateInterest();
  }

  /**
   * The world rectangle on screen (each frame; cheap unless the sectors it touches change), or
   * `'all'` for a peer that needs every sector. Declares the sectors to receive (game/interest.ts).
   */
  setView(view: Rect | 'all'): void {
    const range = view === 'all' ? 'all' : cellRange(view, VIEW_MARGIN);
    const prev = this.viewRange;
    if (range === prev || (range !== 'all' && prev !== 'all' && sameRange(range, prev))) return;
    this.viewRange = range;
    this.updateInterest();
  }

  /** The sector keys this peer declared last, sorted. */
  interest(): readonly string[] {
    return this.declared;
  }

  /** Recomputes the sectors to receive and declares them when they changed. */
  private updateInterest(): void {
    if (!this.live()) return;
    const player = this.profile.playerId;
    const planets: number[] = [];
    const czarOf: number[] = [];
    for (const info of SECTORS) {
      if (this.room.isCzar(info.key)) czarOf.push(info.index);
      for (const p of this.sector(info.index).planets) {
        if (p.owner === player) {
          planets.push(info.index);
          break;
        }
      }
    }
    const keys = interestingSectors({ view: this.viewRange, world: this.positionsAt(), player, planets, czarOf });
    const key = keys.join(' ');
    if (key === this.declaredKey) return;
    this.declaredKey = key;
    this.declared = keys;
    this.room.setInterest(keys, 'sectors');
  }

  /** Starts the czar tick. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    let ticks = 0;
    const loop = (): void => {
      if (this.stopped) return;
      this.timer = this.clock.setTimeout(loop, TICK_MS);
      this.czar.step();
      if (++ticks % LISTED_CHECK_TICKS === 0) this.ensureListed();
      if (ticks % INTEREST_CHECK_TICKS === 0) this.updateInterest();
    };
    this.timer = this.clock.setTimeout(loop, TICK_MS);
  }

  /**
   * Says hello again when the player list no longer names this peer for this player: a hello the
   * players czar applied but never got committed is rolled back when that czar changes, and the
   * room reports it (`rollback`) rather than replaying it, so the game re-sends it.
   */
  private ensureListed(): void {
    if (!this.welcome || this.rehello) return;
    const { playerId: player, name, colour } = this.profile;
    if (this.players().players.get(player)?.peer === this.room.self) return;
    this.rehello = this.room.act(PLAYERS_SHARD, { type: 'hello', player, name, colour }, { timeoutMs: 4_000 }).then(
      () => void (this.rehello = undefined),
      () => void (this.rehello = undefined),
    );
  }

  /** Stops ticking (the room stays joined). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Stops and leaves the room (its shards go to their backups first). */
  async leave(): Promise<void> {
    this.stop();
    await this.room.leave();
  }

  /**
   * Registers the player (hello to the players shard) and asks the home sector's czar for the
   * starting fleet, retrying while the room is still settling. Resolves with the start.
   */
  async join(): Promise<Welcome> {
    const { playerId: player, name, colour } = this.profile;
    const answer = await this.retry(() => this.room.act(PLAYERS_SHARD, { type: 'hello', player, name, colour }, { timeoutMs: 4_000 }));
    if (!isWelcome(answer)) throw new Error('The players shard answered the hello with something that is not a start position.');
    this.welcome = answer;
    this.profile = { ...this.profile, colour: answer.colour };
    const created = await this.retry(() => this.room.act(answer.home, { type: 'spawn', player, x: answer.x, y: answer.y, count: this.fleet }, { timeoutMs: 4_000 }));
    this.log('info', created === 0 ? `welcome back, ${name}` : `${name} starts in ${answer.home} with ${String(created)} ships`);
    this.events.emit('ready', answer);
    return answer;
  }

  /** Changes this player's name and colour (the player id stays). */
  async updateProfile(next: Pick<Profile, 'name' | 'colour'>): Promise<void> {
    this.profile = { playerId: this.profile.playerId, name: next.name, colour: next.colour };
    const { playerId: player, name, colour } = this.profile;
    await this.retry(() => this.room.act(PLAYERS_SHARD, { type: 'hello', player, name, colour }, { timeoutMs: 4_000 }));
  }

  /** The player list (a replica: read only). */
  players(): Players {
    return this.room.state<Players>(PLAYERS_SHARD);
  }

  /** The player `peer` speaks for, if any. */
  playerOfPeer(peer: string): { readonly id: string; readonly player: Player } | undefined {
    let found: { id: string; player: Player } | undefined;
    this.players().players.forEach((p, id) => {
      if (p.peer === peer) found = { id, player: p };
    });
    return found;
  }

  /** A sector's state (replica or, on its czar, the live state). */
  sector(index: number): Sector {
    return this.room.state<Sector>(SECTORS[index]!.key);
  }

  /** Rebuilds the ship table if any shard changed since the last call. */
  refresh(): WorldTable {
    if (this.builtVersion !== this.version) {
      this.builtVersion = this.version;
      this.world.rebuild((i) => this.sector(i));
    }
    return this.world;
  }

  /** Refreshes, then positions every ship at time `now` (clock ms). */
  positionsAt(now: number = this.clock.now()): WorldTable {
    this.refresh();
    for (let i = 0; i < SECTORS.length; i++) this.ticks[i] = this.tickOf(i, now);
    this.world.update(this.ticks);
    return this.world;
  }

  /**
   * Sector `index`'s clock in fractional ticks at `now`: the czar's own, or the last written tick
   * seen plus the time since, at most `MAX_EXTRAPOLATION_TICKS` ahead.
   */
  tickOf(index: number, now: number = this.clock.now()): number {
    const c: TickClock | undefined = this.czar.clockOf(index);
    if (c) return c.tick + Math.min(1, Math.max(0, (now - c.at) / TICK_MS));
    return this.replicaTick(index, now);
  }

  /** The replica's estimate of sector `index`'s clock: the last written tick plus the time since. */
  private replicaTick(index: number, now: number): number {
    const a = this.anchors[index]!;
    return a.tick + Math.min(MAX_EXTRAPOLATION_TICKS, Math.max(0, (now - a.at) / TICK_MS));
  }

  /**
   * Orders this player's ships `ids` to (x, y) in formation: one move action per sector holding
   * some of them, to that sector's czar. Ships that changed sector meanwhile are re-sent to the
   * new one (twice at most). Resolves with the number of ships that took the order.
   */
  async order(ids: readonly string[], x: number, y: number): Promise<number> {
    const w = this.positionsAt();
    const ships: Array<{ id: string; x: number; y: number }> = [];
    for (const id of ids) {
      const i = w.indexOf(id);
      if (i >= 0 && w.owners[i] === this.profile.playerId) ships.push({ id, x: w.x[i]!, y: w.y[i]! });
    }
    return this.sendOrders(planMove(ships, x, y), 0);
  }

  private async sendOrders(orders: readonly MoveOrder[], attempt: number): Promise<number> {
    const w = this.refresh();
    const bySector = new Map<string, MoveOrder[]>();
    for (const o of orders) {
      const i = w.indexOf(o[0]);
      if (i < 0) continue; // destroyed meanwhile
      const key = SECTORS[w.sector[i]!]!.key;
      let list = bySector.get(key);
      if (!list) bySector.set(key, (list = []));
      list.push(o);
    }
    const sends: Array<Promise<string[]>> = [];
    for (const [key, list] of bySector) {
      for (let k = 0; k < list.length; k += MAX_ORDERS_PER_ACTION) {
        const chunk = list.slice(k, k + MAX_ORDERS_PER_ACTION);
        sends.push(
          this.room.act(key, { type: 'move', player: this.profile.playerId, orders: chunk }, { timeoutMs: 4_000 }).then(
            (applied) => (Array.isArray(applied) ? applied.filter((id): id is string => typeof id === 'string') : []),
            () => [],
          ),
        );
      }
    }
    const applied = new Set((await Promise.all(sends)).flat());
    const missed = orders.filter((o) => !applied.has(o[0]));
    if (missed.length === 0 || attempt >= 2 || this.stopped) return applied.size;
    await this.sleep(ORDER_RETRY_MS);
    return applied.size + (await this.sendOrders(missed, attempt + 1));
  }

  // --- replica side ----------------------------------------------------------------------

  private onChange(c: ChangeLike): void {
    if (c.kind === 'local' && c.shard === this.quietShard) {
      this.quietChange = c;
      return;
    }
    this.version++;
    if (c.shard === PLAYERS_SHARD) {
      this.playersVersion++;
      return;
    }
    const info = SECTOR_BY_KEY.get(c.shard);
    if (!info) return;
    const s = this.room.state<Sector>(c.shard);
    const a = this.anchors[info.index]!;
    if (s.tick !== a.tick) {
      a.tick = s.tick;
      a.at = this.clock.now();
    }
    const seen = this.arrivalsSeen[info.index]!;
    if (s.arrivals !== seen) {
      if (seen >= 0 && s.arrivals > seen) {
        const n = s.arrivals - seen;
        this.log('handoff', `${n} ship${n === 1 ? '' : 's'} ${s.lastFrom} → ${info.key}`);
      }
      this.arrivalsSeen[info.index] = s.arrivals;
    }
  }

  private onCzar(e: CzarLike): void {
    // A new czar reads its sector's neighbours: declare them at once.
    if (e.czar === this.room.self) void Promise.resolve().then(() => this.updateInterest());
    const prev = this.lastCzar.get(e.shard);
    this.lastCzar.set(e.shard, e.czar);
    if (prev === undefined || prev === e.czar) return;
    const gone = !this.room.peers().includes(prev);
    const term = e.term === undefined ? '' : ` (term ${e.term})`;
    this.log(gone ? 'failover' : 'czar', `${e.shard}: ${short(prev)} → ${short(e.czar)}${gone ? ' after it left' : ''}${term}`);
  }

  // --- helpers ---------------------------------------------------------------------------

  /** True until stopped or the room closed: late promise callbacks must not write after that. */
  private live(): boolean {
    return !this.stopped && !this.room.closed;
  }

  /** A player's display name. */
  nameOf(playerId: string): string {
    return this.players().players.get(playerId)?.name ?? playerId;
  }

  private log(kind: LogKind, text: string): void {
    this.events.emit('log', { at: this.clock.now(), kind, text });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  /** Retries `fn` while the room settles (no czar yet, replicas behind); gives up after ~30 s or when closed. */
  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    let last: unknown;
    for (let attempt = 0; attempt < 40; attempt++) {
      if (this.stopped || this.room.closed) break;
      try {
        return await fn();
      } catch (err) {
        last = err;
        if (errorCode(err) === 'closed') break;
        await this.sleep(Math.min(1_000, 200 + attempt * 100));
      }
    }
    throw last ?? new Error('The session stopped before joining.');
  }
}
