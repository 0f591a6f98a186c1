/**
 * The czar side of the game: for every gameplay sector this peer writes, a fixed tick driven by
 * timers (never by rendering, so a hidden tab keeps simulating: its timers run at least once a
 * second and the loop catches up), the sector actions (orders, spawns, arriving ships) and the
 * sending half of hand-offs (see game/handoff.ts for why nothing is lost or duplicated).
 */
import { spatial, type Clock } from '@anarchy/sdk';
import { COMBAT_RANGE, MAX_CATCH_UP_TICKS, TICK_MS } from '../game/constants.js';
import { applyMove, applySpawn, parseSectorAction } from '../game/actions.js';
import { SECTORS, SECTOR_BY_KEY, type SectorInfo } from '../game/galaxy.js';
import { abortDeparture, acceptArrival, completeDeparture, departure, inside } from '../game/handoff.js';
import { positionAt, type MutablePoint } from '../game/motion.js';
import { speaksFor } from '../game/players.js';
import { initSector, isIdle, stepSector, type ForeignShip } from '../game/sim.js';
import type { RoomPort } from './port.js';
import { schemaFactory, type Players, type Sector } from './schema.js';

/** How long a hand-off waits for the receiving czar before it is retried, in ms. */
export const HANDOFF_TIMEOUT_MS = 4_000;
/** Pause before a failed hand-off is sent again, in ms. */
export const HANDOFF_RETRY_MS = 1_000;

/** A sector clock: `tick` was reached at clock time `at`. */
export interface TickClock {
  tick: number;
  at: number;
}

/** What the driver needs from its session. */
export interface CzarHost {
  readonly room: RoomPort;
  readonly clock: Clock;
  /** The replica's estimate of sector `index`'s clock (where a new czar starts from). */
  replicaTick(index: number, now: number): number;
  players(): Players;
  nameOf(player: string): string;
  log(kind: 'capture' | 'error', text: string): void;
  /** Called around each tick's write; `end` says whether the state changed. */
  beginWrite(shard: string): void;
  endWrite(changed: boolean): void;
  /** False once the session stopped: late callbacks must not write. */
  live(): boolean;
}

const scratch: MutablePoint = { x: 0, y: 0 };
const errorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

export class CzarDriver {
  /** The czar's own clock per sector index, while this peer writes it. */
  private readonly clocks: Array<TickClock | undefined> = SECTORS.map(() => undefined);
  private readonly neighbours: number[][] = SECTORS.map((s) =>
    spatial
      .neighbours(s.id)
      .map((n) => SECTOR_BY_KEY.get(spatial.key(n))?.index)
      .filter((i): i is number => i !== undefined),
  );
  private readonly inflight = new Set<string>();
  private readonly retryAt = new Map<string, number>();

  constructor(private readonly host: CzarHost) {}

  /** This peer's clock of sector `index` while it writes it. */
  clockOf(index: number): TickClock | undefined {
    return this.clocks[index];
  }

  /** The `onAction` handler of sector `info`: orders, spawns and arriving ships. */
  onAction(info: SectorInfo, state: Sector, raw: unknown, from: string): unknown {
    const action = parseSectorAction(raw);
    const tick = this.clock(info.index, this.host.clock.now()).tick;
    initSector(state, info.key, schemaFactory);
    switch (action.type) {
      case 'enter': {
        const result = acceptArrival(state, action.unit, info.bounds, tick, schemaFactory);
        state.tick = tick;
        return result;
      }
      case 'move': {
        if (!speaksFor(this.host.players(), action.player, from)) throw new Error(`peer ${from} does not command player ${action.player}`);
        const applied = applyMove(state, action.player, action.orders, tick);
        if (applied.length > 0) state.tick = tick;
        return applied;
      }
      case 'spawn': {
        if (!speaksFor(this.host.players(), action.player, from)) throw new Error(`player ${action.player} is not registered yet (or not by ${from})`);
        const created = applySpawn(state, action.player, action.x, action.y, action.count, tick, info.bounds, schemaFactory);
        state.tick = tick;
        return created;
      }
    }
  }

  /** One round of the loop: step every sector this peer writes, as many ticks as are due. */
  step(): void {
    const { room, clock } = this.host;
    const now = clock.now();
    for (const info of SECTORS) {
      if (!room.isCzar(info.key)) {
        this.clocks[info.index] = undefined;
        continue;
      }
      const c = this.clock(info.index, now);
      let due = Math.floor((now - c.at) / TICK_MS);
      if (due <= 0) continue;
      c.at += due * TICK_MS;
      if (due > MAX_CATCH_UP_TICKS) {
        // A throttled (hidden) tab: jump the clock rather than replay a long stretch in one go.
        c.tick += due - MAX_CATCH_UP_TICKS;
        due = MAX_CATCH_UP_TICKS;
      }
      const state = room.state<Sector>(info.key);
      if (isIdle(state)) {
        c.tick += due;
        continue;
      }
      const foreign = state.units.size > 0 ? this.foreignShips(info, now) : [];
      let changed = false;
      this.host.beginWrite(info.key);
      try {
        room.mutate<Sector, void>(info.key, (s) => {
          for (let k = 0; k < due; k++) {
            c.tick++;
            const r = stepSector(s, { key: info.key, bounds: info.bounds, tick: c.tick, foreign, make: schemaFactory });
            if (r.changed) changed = true;
            for (const cap of r.captures) {
              this.host.log('capture', `${info.key}: planet ${cap.planet} ${cap.owner ? `captured by ${this.host.nameOf(cap.owner)}` : 'neutralised'}`);
            }
          }
        });
      } catch (err) {
        // Lost the shard between the check and the write (a view change): the successor steps it.
        if (errorCode(err) !== 'not-czar') this.host.log('error', `${info.key}: ${String(err)}`);
        continue;
      } finally {
        this.host.endWrite(changed);
      }
      this.sendHandoffs(info, now);
    }
  }

  /** This peer's clock for a sector it writes, started from the replica's estimate on takeover. */
  private clock(index: number, now: number): TickClock {
    let c = this.clocks[index];
    if (!c) {
      c = { tick: Math.floor(this.host.replicaTick(index, now)), at: now };
      this.clocks[index] = c;
    }
    return c;
  }

  /** Ships of neighbouring sectors within combat range of this sector's edge, where they are now. */
  private foreignShips(info: SectorInfo, now: number): ForeignShip[] {
    const out: ForeignShip[] = [];
    const b = info.bounds;
    const r = { minX: b.minX - COMBAT_RANGE, minY: b.minY - COMBAT_RANGE, maxX: b.maxX + COMBAT_RANGE, maxY: b.maxY + COMBAT_RANGE };
    for (const n of this.neighbours[info.index]!) {
      const s = this.host.room.state<Sector>(SECTORS[n]!.key);
      if (s.units.size === 0) continue;
      const tick = this.clocks[n] ? this.clocks[n].tick : this.host.replicaTick(n, now);
      s.units.forEach((u) => {
        if (u.leaving !== '') return;
        positionAt(u, tick, scratch);
        if (inside(r, scratch.x, scratch.y)) out.push({ owner: u.owner, x: scratch.x, y: scratch.y });
      });
    }
    return out;
  }

  /** Sends (or re-sends) the hand-off of every ship of `info` marked leaving and not in flight. */
  private sendHandoffs(info: SectorInfo, now: number): void {
    const { room, clock } = this.host;
    room.state<Sector>(info.key).units.forEach((u, id) => {
      if (u.leaving === '') return;
      const flight = `${info.key}|${id}|${u.hops}`;
      if (this.inflight.has(flight) || (this.retryAt.get(flight) ?? 0) > now) return;
      const payload = departure(id, u, info.key);
      const dest = u.leaving;
      this.inflight.add(flight);
      room.act(dest, { type: 'enter', unit: payload }, { timeoutMs: HANDOFF_TIMEOUT_MS }).then(
        () => {
          this.inflight.delete(flight);
          this.retryAt.delete(flight);
          if (this.host.live() && room.isCzar(info.key)) room.mutate<Sector, boolean>(info.key, (s) => completeDeparture(s, id, payload.hops));
        },
        (err: unknown) => {
          this.inflight.delete(flight);
          if (errorCode(err) === 'action-rejected' && this.host.live() && room.isCzar(info.key)) {
            this.host.log('error', `${dest} refused ship ${id}: ${err instanceof Error ? err.message : String(err)}`);
            room.mutate<Sector, boolean>(info.key, (s) => abortDeparture(s, id, this.clock(info.index, clock.now()).tick, info.bounds));
            return;
          }
          this.retryAt.set(flight, clock.now() + HANDOFF_RETRY_MS);
        },
      );
    });
  }
}
