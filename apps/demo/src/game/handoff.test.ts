import { SeededRng } from '@anarchy/sdk';
import { describe, expect, it } from 'vitest';
import { SHIP_HP } from './constants.js';
import { SECTOR_BY_KEY, SECTORS, GALAXY_BOUNDS } from './galaxy.js';
import { abortDeparture, acceptArrival, completeDeparture, departure, parseHandoff, pruneSeen, type HandoffPayload } from './handoff.js';
import { plainFactory, plainSector, type SectorData, type UnitData } from './model.js';
import { stepSector } from './sim.js';

const a = SECTORS[0]!;
const b = SECTORS[1]!;
const ship = (owner: string, x: number, y: number, more: Partial<UnitData> = {}): UnitData => ({ owner, x, y, tx: x, ty: y, t0: 0, hp: SHIP_HP, hops: 0, leaving: '', ...more });
const payload = (over: Partial<HandoffPayload> = {}): HandoffPayload => ({ id: 'p.1', owner: 'p', hp: 80, x: b.bounds.minX + 1, y: b.bounds.minY + 10, tx: b.bounds.minX + 500, ty: b.bounds.minY + 10, hops: 1, from: a.key, ...over });

describe('hand-off bookkeeping', () => {
  it('accepts a hop once, re-anchored at the receiver tick', () => {
    const s = plainSector();
    expect(acceptArrival(s, payload(), b.bounds, 42, plainFactory)).toBe('accepted');
    expect(s.units.get('p.1')).toMatchObject({ t0: 42, hops: 1, hp: 80, leaving: '' });
    expect(s.arrivals).toBe(1);
    expect(s.lastFrom).toBe(a.key);
    expect(acceptArrival(s, payload(), b.bounds, 50, plainFactory)).toBe('duplicate');
    s.units.delete('p.1'); // died or moved on: the receipt still refuses the old hop
    expect(acceptArrival(s, payload(), b.bounds, 60, plainFactory)).toBe('duplicate');
    expect(s.units.size).toBe(0);
    expect(acceptArrival(s, payload({ hops: 3 }), b.bounds, 60, plainFactory)).toBe('accepted');
  });

  it('refuses a ship that is not in the sector', () => {
    expect(() => acceptArrival(plainSector(), payload({ x: a.bounds.minX }), b.bounds, 1, plainFactory)).toThrow(/not in this sector/);
  });

  it('deletes the sender copy only for the hop that left', () => {
    const s = plainSector();
    s.units.set('p.1', ship('p', 10, 10, { hops: 2, leaving: b.key }));
    expect(completeDeparture(s, 'p.1', 2)).toBe(false);
    expect(completeDeparture(s, 'p.1', 3)).toBe(true);
    expect(completeDeparture(s, 'p.1', 3)).toBe(false);
  });

  it('keeps a ship that came back before its old copy was deleted', () => {
    const s = plainSector();
    s.units.set('p.1', ship('p', a.bounds.maxX - 1, a.bounds.minY + 5, { hops: 0, leaving: b.key }));
    acceptArrival(s, payload({ x: a.bounds.maxX - 2, y: a.bounds.minY + 5, hops: 2, from: b.key }), a.bounds, 9, plainFactory);
    expect(completeDeparture(s, 'p.1', 1)).toBe(false);
    expect(s.units.get('p.1')).toMatchObject({ hops: 2, leaving: '' });
  });

  it('stops a refused ship inside its sector', () => {
    const s = plainSector();
    s.units.set('p.1', ship('p', a.bounds.maxX + 3, a.bounds.minY + 5, { leaving: b.key, tx: a.bounds.maxX + 100 }));
    expect(abortDeparture(s, 'p.1', 7, a.bounds)).toBe(true);
    expect(s.units.get('p.1')).toMatchObject({ x: a.bounds.maxX - 1, tx: a.bounds.maxX - 1, leaving: '', t0: 7 });
  });

  it('prunes the oldest receipts of absent ships only', () => {
    const s = plainSector();
    for (let i = 0; i < 10; i++) s.seen.set(`u${i}`, 1);
    s.units.set('u0', ship('p', 0, 0));
    expect(pruneSeen(s, 6)).toBe(4);
    expect([...s.seen.keys()]).toEqual(['u0', 'u5', 'u6', 'u7', 'u8', 'u9']);
  });

  it('validates payloads from the network', () => {
    const d = departure('p.1', ship('p', 5, 6, { hops: 4 }), a.key);
    expect(parseHandoff(JSON.parse(JSON.stringify(d)))).toEqual(d);
    expect(d.hops).toBe(5);
    expect(parseHandoff({ ...d, hops: 0 })).toBeUndefined();
    expect(parseHandoff({ ...d, x: 1.5 })).toBeUndefined();
    expect(parseHandoff({ ...d, id: '' })).toBeUndefined();
    expect(parseHandoff(null)).toBeUndefined();
  });
});

/**
 * The whole protocol on a toy network: every sector has a czar with a backup replica; hand-offs
 * and their confirmations are delayed, duplicated and lost; czars crash and their backup takes
 * over from its replica (which holds every write that was confirmed to anyone, as the SDK
 * guarantees for acknowledged writes, and possibly some later ones). Ships must never be lost and
 * must end up in exactly one sector.
 */
describe('hand-off protocol under loss, duplication and failover', () => {
  interface Msg {
    at: number;
    kind: 'enter' | 'confirm';
    to: string;
    payload: HandoffPayload;
  }
  const clone = (s: SectorData): SectorData => ({
    tick: s.tick,
    ready: s.ready,
    units: new Map([...s.units.entries()].map(([k, u]) => [k, { ...u }])),
    planets: [],
    spawned: new Map(s.spawned.entries()),
    seen: new Map(s.seen.entries()),
    arrivals: s.arrivals,
    lastFrom: s.lastFrom,
  });

  function run(seed: number): { lost: string[]; extra: string[]; crashes: number; handoffs: number } {
    const rng = new SeededRng(seed);
    const live = new Map<string, SectorData>();
    const backup = new Map<string, SectorData>();
    const inflight = new Map<string, Set<string>>();
    for (const s of SECTORS) {
      const st = plainSector();
      st.ready = true; // no planets: ship count changes only through hand-offs
      live.set(s.key, st);
      inflight.set(s.key, new Set());
    }
    // 60 ships of one owner (no combat) scattered, each flying to a random far point.
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const x = Math.floor(GALAXY_BOUNDS.minX + 50 + rng.next() * 5900);
      const y = Math.floor(GALAXY_BOUNDS.minY + 50 + rng.next() * 5900);
      const tx = Math.floor(GALAXY_BOUNDS.minX + 50 + rng.next() * 5900);
      const ty = Math.floor(GALAXY_BOUNDS.minY + 50 + rng.next() * 5900);
      const key = SECTORS.find((s) => x >= s.bounds.minX && x < s.bounds.maxX && y >= s.bounds.minY && y < s.bounds.maxY)!.key;
      live.get(key)!.units.set(`s.${i}`, ship('s', x, y, { tx, ty }));
      ids.push(`s.${i}`);
    }
    for (const [k, s] of live) backup.set(k, clone(s));
    const queue: Msg[] = [];
    let crashes = 0;
    let handoffs = 0;
    const send = (m: Msg): void => {
      if (rng.next() < 0.15) return; // lost
      queue.push(m);
      if (rng.next() < 0.1) queue.push({ ...m, at: m.at + 1 + Math.floor(rng.next() * 20) }); // duplicated
    };
    const visible = (): Map<string, number> => {
      const seen = new Map<string, number>();
      for (const s of live.values()) s.units.forEach((_u, id) => seen.set(id, (seen.get(id) ?? 0) + 1));
      return seen;
    };
    const retryAt = new Map<string, number>();
    for (let tick = 1; tick <= 1400; tick++) {
      // Czars step and (re)send hand-offs of every leaving ship not in flight.
      for (const info of SECTORS) {
        const s = live.get(info.key)!;
        stepSector(s, { key: info.key, bounds: info.bounds, tick, make: plainFactory });
        s.units.forEach((u, id) => {
          const flightKey = `${id}@${u.hops}`;
          if (u.leaving === '' || inflight.get(info.key)!.has(flightKey) || (retryAt.get(`${info.key}|${flightKey}`) ?? 0) > tick) return;
          inflight.get(info.key)!.add(flightKey);
          retryAt.set(`${info.key}|${flightKey}`, tick + 40); // the act() timeout
          handoffs++;
          send({ at: tick + 1 + Math.floor(rng.next() * 8), kind: 'enter', to: u.leaving, payload: departure(id, u, info.key) });
        });
        for (const f of [...inflight.get(info.key)!]) if ((retryAt.get(`${info.key}|${f}`) ?? 0) <= tick) inflight.get(info.key)!.delete(f);
        if (rng.next() < 0.3) backup.set(info.key, clone(s)); // a delta reached the backup
      }
      // Deliveries.
      queue.sort((x, y) => x.at - y.at);
      while (queue.length > 0 && queue[0]!.at <= tick) {
        const m = queue.shift()!;
        const s = live.get(m.to)!;
        if (m.kind === 'enter') {
          acceptArrival(s, m.payload, SECTOR_BY_KEY.get(m.to)!.bounds, tick, plainFactory);
          backup.set(m.to, clone(s)); // confirmed writes are on the backup before the confirmation leaves
          send({ at: tick + 1 + Math.floor(rng.next() * 8), kind: 'confirm', to: m.payload.from, payload: m.payload });
        } else {
          completeDeparture(s, m.payload.id, m.payload.hops);
          inflight.get(m.to)!.delete(`${m.payload.id}@${m.payload.hops - 1}`);
        }
      }
      // Failover: a czar crashes, the backup continues from its replica, in-flight memory is gone.
      if (rng.next() < 0.02) {
        const victim = SECTORS[Math.floor(rng.next() * SECTORS.length)]!.key;
        live.set(victim, clone(backup.get(victim)!));
        inflight.set(victim, new Set());
        for (const k of [...retryAt.keys()]) if (k.startsWith(`${victim}|`)) retryAt.delete(k);
        crashes++;
      }
      // No ship is ever lost, even for a moment (duplicates are allowed while a hand-off is open).
      const now = visible();
      const missing = ids.filter((id) => !now.has(id));
      if (missing.length > 0) return { lost: missing, extra: [], crashes, handoffs };
    }
    const end = visible();
    return { lost: ids.filter((id) => !end.has(id)), extra: ids.filter((id) => (end.get(id) ?? 0) > 1), crashes, handoffs };
  }

  it('conserves every ship over 12 seeds', () => {
    let crashes = 0;
    let handoffs = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const r = run(seed);
      expect(r.lost, `seed ${seed}: lost ships`).toEqual([]);
      expect(r.extra, `seed ${seed}: ships in two sectors at the end`).toEqual([]);
      crashes += r.crashes;
      handoffs += r.handoffs;
    }
    // The run must actually exercise hand-offs and failovers.
    expect(handoffs).toBeGreaterThan(500);
    expect(crashes).toBeGreaterThan(100);
  });
});
