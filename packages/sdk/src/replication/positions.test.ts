import { describe, expect, it } from 'vitest';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { SeededRng, chance, randomInt } from '../util/rng.js';
import {
  MAX_POSITION,
  PositionStreamDecoder,
  PositionStreamEncoder,
  quantize,
  type PositionFrame,
  type PositionSample,
} from './positions.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

/**
 * Random RTS-ish ticks: units walk a few cm per tick, idle, occasionally spawn, die or teleport.
 */
function randomTicks(seed: number, ticks: number): PositionSample[][] {
  const rng = new SeededRng(seed);
  let nextId = 0;
  let units = new Map<number, { x: number; y: number; vx: number; vy: number }>();
  const spawn = (): void => {
    nextId += 1 + randomInt(rng, 3); // sparse ids exercise the id gaps
    units.set(nextId, {
      x: randomInt(rng, 200_000) - 100_000,
      y: randomInt(rng, 200_000) - 100_000,
      vx: randomInt(rng, 31) - 15,
      vy: randomInt(rng, 31) - 15,
    });
  };
  for (let i = 0, n = 20 + randomInt(rng, 200); i < n; i++) spawn();
  const out: PositionSample[][] = [];
  for (let t = 0; t < ticks; t++) {
    if (chance(rng, 0.03)) spawn();
    if (chance(rng, 0.03) && units.size > 1) {
      const ids = [...units.keys()];
      units.delete(ids[randomInt(rng, ids.length)] as number);
    }
    const next = new Map<number, { x: number; y: number; vx: number; vy: number }>();
    for (const [id, u] of units) {
      let { x, y, vx, vy } = u;
      if (chance(rng, 0.05)) [vx, vy] = [randomInt(rng, 31) - 15, randomInt(rng, 31) - 15];
      if (chance(rng, 0.02)) [vx, vy] = [0, 0];
      x += vx;
      y += vy;
      if (chance(rng, 0.002)) [x, y] = [randomInt(rng, 2_000_000) - 1_000_000, randomInt(rng, 2_000_000) - 1_000_000];
      next.set(id, { x, y, vx, vy });
    }
    units = next;
    // Shuffled input order: the encoder must not depend on it.
    const samples = [...units].map(([id, u]) => ({ id, x: u.x, y: u.y }));
    for (let i = samples.length - 1; i > 0; i--) {
      const j = randomInt(rng, i + 1);
      [samples[i], samples[j]] = [samples[j] as PositionSample, samples[i] as PositionSample];
    }
    out.push(samples);
  }
  return out;
}

function positionsOf(d: PositionStreamDecoder): Map<number, { x: number; y: number }> {
  const m = new Map<number, { x: number; y: number }>();
  d.forEach((id, x, y) => m.set(id, { x, y }));
  return m;
}

function truthOf(samples: readonly PositionSample[]): Map<number, { x: number; y: number }> {
  return new Map([...samples].sort((a, b) => a.id - b.id).map((s) => [s.id, { x: s.x, y: s.y }]));
}

function expectWire(fn: () => unknown, code: string = ErrorCode.MalformedFrame): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WireError);
  expect((caught as WireError).code).toBe(code);
}

describe('PositionStream', () => {
  it.each(SEEDS)('reconstructs exact quantized positions every tick (seed %i)', (seed) => {
    const ticks = randomTicks(seed, 300);
    const enc = new PositionStreamEncoder({ keyframeInterval: 1 + (seed % 24) });
    const dec = new PositionStreamDecoder();
    for (let t = 0; t < ticks.length; t++) {
      const samples = ticks[t] as PositionSample[];
      const frame = enc.encode(samples);
      expect(dec.apply(frame.bytes), `seed ${seed} tick ${t}`).toMatchObject({ applied: true, kind: frame.kind });
      expect(positionsOf(dec), `seed ${seed} tick ${t}`).toEqual(truthOf(samples));
    }
  });

  it.each(SEEDS)('losing deltas does not corrupt later ones: each delta stands on its keyframe (seed %i)', (seed) => {
    const rng = new SeededRng(seed * 31);
    const ticks = randomTicks(seed, 300);
    const enc = new PositionStreamEncoder();
    const dec = new PositionStreamDecoder();
    let lost = 0;
    for (let t = 0; t < ticks.length; t++) {
      const samples = ticks[t] as PositionSample[];
      const frame = enc.encode(samples);
      // Keyframes travel on the reliable channel (documented); deltas are dropped at 40%.
      if (frame.kind === 'delta' && chance(rng, 0.4)) {
        lost++;
        continue;
      }
      expect(dec.apply(frame.bytes).applied, `seed ${seed} tick ${t}`).toBe(true);
      expect(positionsOf(dec), `seed ${seed} tick ${t}`).toEqual(truthOf(samples));
    }
    expect(lost).toBeGreaterThan(50);
  });

  it.each(SEEDS.slice(0, 6))('reordered delivery applies only newer frames and always shows a true tick (seed %i)', (seed) => {
    const rng = new SeededRng(seed * 7);
    const ticks = randomTicks(seed, 200);
    const enc = new PositionStreamEncoder({ keyframeInterval: 10 });
    const frames = ticks.map((s) => enc.encode(s));
    // Keyframes in order (reliable channel); deltas jittered by up to 3 ticks.
    const arrivals = frames.map((f, t) => ({ f, t, at: f.kind === 'keyframe' ? t : t + rng.next() * 3 }));
    arrivals.sort((a, b) => a.at - b.at);
    const dec = new PositionStreamDecoder();
    let newest = -1;
    let stale = 0;
    for (const { f, t } of arrivals) {
      const r = dec.apply(f.bytes);
      if (r.applied) {
        expect(t, `seed ${seed}`).toBeGreaterThan(newest);
        newest = t;
      } else {
        stale++;
        expect(['stale', 'unknown-keyframe']).toContain(r.reason);
      }
      expect(positionsOf(dec), `seed ${seed} after tick ${t}`).toEqual(truthOf(ticks[newest] as PositionSample[]));
    }
    expect(stale).toBeGreaterThan(0);
  });

  it('reports a delta whose keyframe was lost, keeps the old positions, and recovers on request', () => {
    const ticks = randomTicks(5, 40);
    const enc = new PositionStreamEncoder({ keyframeInterval: 10 });
    const dec = new PositionStreamDecoder();
    let last = -1;
    let waiting = false;
    let recovered = false;
    let dropped = false;
    for (let t = 0; t < ticks.length; t++) {
      const frame = enc.encode(ticks[t] as PositionSample[]);
      if (!dropped && t >= 5 && frame.kind === 'keyframe') {
        dropped = true;
        continue; // lost
      }
      const r = dec.apply(frame.bytes);
      if (!r.applied) {
        expect(r).toMatchObject({ reason: 'unknown-keyframe' });
        expect(positionsOf(dec)).toEqual(truthOf(ticks[last] as PositionSample[]));
        if (!waiting) enc.requestKeyframe();
        waiting = true;
      } else {
        if (waiting) recovered = true;
        last = t;
        expect(positionsOf(dec)).toEqual(truthOf(ticks[t] as PositionSample[]));
      }
    }
    expect(dropped).toBe(true);
    expect(waiting).toBe(true);
    expect(recovered).toBe(true);
  });

  it('picks the smallest unit-set coding and sends nothing per unit when nothing moved', () => {
    const base = Array.from({ length: 500 }, (_, i) => ({ id: i, x: i * 100, y: 50 * (0 - i) }));
    const enc = new PositionStreamEncoder({ keyframeInterval: 100 });
    const dec = new PositionStreamDecoder();
    const sizes: Record<string, number> = {};
    const send = (name: string, samples: PositionSample[]): PositionFrame => {
      const f = enc.encode(samples);
      sizes[name] = f.bytes.length;
      expect(dec.apply(f.bytes).applied).toBe(true);
      expect(positionsOf(dec)).toEqual(truthOf(samples));
      return f;
    };
    expect(send('keyframe', base).kind).toBe('keyframe');
    expect(send('still', base).units).toBe(0);
    expect(send('one', base.map((s) => (s.id === 77 ? { ...s, x: s.x + 3 } : s))).units).toBe(1);
    expect(send('half', base.map((s) => (s.id % 2 ? { ...s, y: s.y - 4 } : s))).units).toBe(250);
    expect(send('all', base.map((s) => ({ ...s, x: s.x + 5 }))).units).toBe(500);
    expect(send('back', base).units).toBe(0); // everyone returned to the keyframe position
    expect(sizes['still']).toBeLessThanOrEqual(6);
    expect(sizes['one']).toBeLessThanOrEqual(12);
    expect(sizes['half']).toBeLessThan(500 / 8 + 250 + 10); // bitmap + 4 bits per unit
    expect(sizes['all']).toBeLessThan(500 + 10); // no unit set, 8 bits per unit
  });

  it('sends a keyframe on schedule, on request, when units join or leave, and when a delta would not be smaller', () => {
    const base = Array.from({ length: 50 }, (_, i) => ({ id: i * 3, x: i, y: i }));
    const enc = new PositionStreamEncoder({ keyframeInterval: 4 });
    const kinds = Array.from({ length: 9 }, () => enc.encode(base).kind);
    expect(kinds).toEqual(['keyframe', 'delta', 'delta', 'delta', 'keyframe', 'delta', 'delta', 'delta', 'keyframe']);
    enc.requestKeyframe();
    expect(enc.encode(base).kind).toBe('keyframe');
    expect(enc.encode(base.slice(1)).kind).toBe('keyframe');
    expect(enc.encode([...base.slice(1), { id: 1000, x: 0, y: 0 }]).kind).toBe('keyframe');
    const teleported = enc.encode([...base.slice(1), { id: 1000, x: 0, y: 0 }].map((s) => ({ ...s, x: s.x + 900_000_000 })));
    expect(teleported.kind).toBe('keyframe');
  });

  it('meets the size target on a synthetic tick: ≤ 4 bytes per moving unit', () => {
    const rng = new SeededRng(77);
    const units = Array.from({ length: 500 }, (_, i) => ({ id: i, x: randomInt(rng, 100_000), y: randomInt(rng, 100_000) }));
    const enc = new PositionStreamEncoder();
    enc.encode(units);
    let bytes = 0;
    let movedUnits = 0;
    for (let t = 1; t < 16; t++) {
      const moved = units.map((u) => ({ ...u, x: u.x + 10 * t, y: u.y - 7 * t }));
      const f = enc.encode(moved);
      bytes += f.bytes.length;
      movedUnits += f.units;
    }
    expect(bytes / movedUnits).toBeLessThanOrEqual(4);
  });

  it('round-trips with deflate on, and uses it when it pays', () => {
    const grid = Array.from({ length: 2000 }, (_, i) => ({ id: i, x: (i % 40) * 500, y: Math.floor(i / 40) * 500 }));
    const enc = new PositionStreamEncoder({ deflate: true });
    const dec = new PositionStreamDecoder();
    const f = enc.encode(grid);
    expect((f.bytes[0] as number) & 0b1000).toBe(0b1000);
    dec.apply(f.bytes);
    expect(positionsOf(dec)).toEqual(truthOf(grid));
  });

  it('rejects bad input with ArgumentError', () => {
    const enc = new PositionStreamEncoder();
    expect(() => new PositionStreamEncoder({ keyframeInterval: 0 })).toThrow(ArgumentError);
    expect(() => enc.encode([{ id: 1, x: 0.5, y: 0 }])).toThrow(ArgumentError);
    expect(() => enc.encode([{ id: 1, x: MAX_POSITION + 1, y: 0 }])).toThrow(ArgumentError);
    expect(() => enc.encode([{ id: -1, x: 0, y: 0 }])).toThrow(ArgumentError);
    expect(() => enc.encode([{ id: 2, x: 0, y: 0 }, { id: 2, x: 1, y: 1 }])).toThrow(ArgumentError);
    expect(() => new PositionStreamDecoder().apply('x' as unknown as Uint8Array)).toThrow(ArgumentError);
    expect(quantize(1.234)).toBe(123);
    expect(quantize(-0.004)).toBe(0); // never -0: it would compare unequal under Object.is
    expect(quantize(2.5, 0.5)).toBe(5);
  });

  it('handles an empty shard and extreme coordinates', () => {
    const enc = new PositionStreamEncoder();
    const dec = new PositionStreamDecoder();
    dec.apply(enc.encode([]).bytes);
    expect(dec.size).toBe(0);
    const extreme = [
      { id: 0, x: MAX_POSITION, y: -MAX_POSITION },
      { id: 0xffff_ffff, x: -MAX_POSITION, y: MAX_POSITION },
    ];
    dec.apply(enc.encode(extreme).bytes);
    expect(positionsOf(dec)).toEqual(truthOf(extreme));
    const swapped = extreme.map((s) => ({ ...s, x: -s.x, y: -s.y }));
    dec.apply(enc.encode(swapped).bytes);
    expect(positionsOf(dec)).toEqual(truthOf(swapped));
    expect(dec.get(0xffff_ffff)).toEqual({ x: MAX_POSITION, y: -MAX_POSITION });
    expect(dec.get(5)).toBeUndefined();
  });

  it('reset() starts over for a new czar, whose keyframe numbers restart', () => {
    const a = new PositionStreamEncoder();
    const dec = new PositionStreamDecoder();
    for (let i = 0; i < 3; i++) dec.apply(a.encode([{ id: 1, x: i, y: 0 }]).bytes);
    a.requestKeyframe();
    dec.apply(a.encode([{ id: 1, x: 9, y: 9 }]).bytes);
    const b = new PositionStreamEncoder();
    const first = b.encode([{ id: 1, x: 4, y: 4 }]);
    expect(dec.apply(first.bytes)).toMatchObject({ applied: false, reason: 'stale' });
    dec.reset();
    expect(dec.apply(first.bytes).applied).toBe(true);
    expect(dec.get(1)).toEqual({ x: 4, y: 4 });
  });
});

describe('PositionStreamDecoder on bad bytes', () => {
  function sampleFrames(): PositionFrame[] {
    const ticks = randomTicks(3, 30);
    const enc = new PositionStreamEncoder({ keyframeInterval: 8 });
    return ticks.map((s) => enc.encode(s));
  }

  it('throws WireError for every truncation of a valid frame and changes nothing', () => {
    const frames = sampleFrames();
    for (const frame of frames) {
      const dec = new PositionStreamDecoder();
      // Bring the decoder to the frame's keyframe so deltas are parsed, not just skipped.
      for (const f of frames) {
        if (f === frame) break;
        dec.apply(f.bytes);
      }
      const before = positionsOf(dec);
      for (let cut = 0; cut < frame.bytes.length; cut++) expectWire(() => dec.apply(frame.bytes.subarray(0, cut)));
      expect(positionsOf(dec)).toEqual(before);
    }
  });

  it('refuses other versions, reserved bits, trailing bytes, bad deflate and inflation bombs', () => {
    const [key] = sampleFrames() as [PositionFrame];
    const dec = new PositionStreamDecoder();
    const patched = (fn: (b: Uint8Array) => void): Uint8Array => {
      const b = Uint8Array.from(key.bytes);
      fn(b);
      return b;
    };
    expectWire(() => dec.apply(patched((b) => (b[0] = 0x20))), ErrorCode.IncompatibleVersion);
    expectWire(() => dec.apply(patched((b) => (b[0] = (b[0] as number) | 0b0100))));
    expectWire(() => dec.apply(patched((b) => (b[0] = 0x12))));
    expectWire(() => dec.apply(Uint8Array.from([...key.bytes, 0x01])));
    expectWire(() => dec.apply(Uint8Array.from([0x18, 0x05, 0xff, 0xff, 0xff])));
    expectWire(() => dec.apply(Uint8Array.from([0x18, 0xff, 0xff, 0xff, 0x7f, 0x00])));
    expectWire(() => dec.apply(new Uint8Array(0)));
    expect(dec.keyframe).toBe(0);
  });

  it.each([11, 12, 13])('never throws anything but WireError on mutated or random frames (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const frames = sampleFrames();
    for (let trial = 0; trial < 2000; trial++) {
      const dec = new PositionStreamDecoder();
      dec.apply((frames[0] as PositionFrame).bytes);
      const src = (frames[randomInt(rng, frames.length)] as PositionFrame).bytes;
      const bad =
        trial % 4 === 0
          ? Uint8Array.from({ length: 1 + randomInt(rng, 40) }, () => rng.nextUint32() & 0xff)
          : Uint8Array.from(src, (b) => (chance(rng, 0.02) ? b ^ (1 + randomInt(rng, 255)) : b));
      try {
        dec.apply(bad);
      } catch (e) {
        expect(e, `seed ${seed} trial ${trial}`).toBeInstanceOf(WireError);
      }
    }
  });
});
