import { describe, expect, it } from 'vitest';
import { ErrorCode, WireError } from '../errors.js';
import { VirtualClock } from '../util/clock.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { randomBytes } from './arbitrary.js';
import { FRAGMENT_OVERHEAD_BYTES, Reassembler, type ReassemblerOptions, type TransferDropped, splitFrame } from './fragment.js';
import { encodeFrame } from './frame.js';
import type { FragmentMessage } from './messages.js';

function setup(overrides: Partial<ReassemblerOptions> = {}) {
  const clock = new VirtualClock();
  const drops: TransferDropped[] = [];
  const r = new Reassembler({ clock, maxPayloadBytes: 10_000, maxBytes: 20_000, maxTransfers: 4, idleTimeoutMs: 1000, onDrop: (d) => drops.push(d), ...overrides });
  return { clock, drops, r };
}

function failure(fn: () => unknown): { code: string; reason: unknown } {
  try {
    fn();
  } catch (err) {
    if (err instanceof WireError) return { code: err.code, reason: err.details['reason'] };
    throw err;
  }
  throw new Error('expected a WireError');
}

const payload = (n: number, seed = 1): Uint8Array => randomBytes(new SeededRng(seed), n);

describe('fragment', () => {
  it('[W16] splits a frame into fragments whose frames fit the budget, and reassembles them in any order', () => {
    const seed = 5;
    const rng = new SeededRng(seed);
    for (let i = 0; i < 60; i++) {
      const budget = 128 + randomInt(rng, 3000);
      const data = payload(1 + randomInt(rng, 9000), i);
      const frags = splitFrame(data, randomInt(rng, 2 ** 32), budget);
      for (const f of frags) expect(encodeFrame([f]).length, `seed ${seed} case ${i}`).toBeLessThanOrEqual(budget);
      expect(frags.length).toBe(Math.ceil(data.length / (budget - FRAGMENT_OVERHEAD_BYTES)));
      const shuffled = [...frags].sort(() => rng.next() - 0.5);
      const { r } = setup();
      const results = shuffled.map((f) => r.accept('control', f));
      expect(results.slice(0, -1).every((x) => x === undefined)).toBe(true);
      expect(results.at(-1), `seed ${seed} case ${i}`).toEqual(data);
      expect(r.reservedBytes).toBe(0);
      expect(r.pending).toBe(0);
    }
  });

  it('[W16] keeps transfers of different streams and ids apart', () => {
    const { r } = setup();
    const a = splitFrame(payload(3000, 1), 7, 1000);
    const b = splitFrame(payload(3000, 2), 7, 1000);
    const c = splitFrame(payload(3000, 3), 8, 1000);
    const out: Array<Uint8Array | undefined> = [];
    for (let i = 0; i < a.length; i++) out.push(r.accept('control', a[i]!), r.accept('state', b[i]!), r.accept('control', c[i]!));
    expect(out.filter(Boolean)).toEqual([payload(3000, 1), payload(3000, 2), payload(3000, 3)]);
  });

  it('[W17] rejects a payload over the maximum with payload-too-large, once, and ignores the rest of it', () => {
    const { r } = setup();
    const frags = splitFrame(payload(12_000), 1, 2000);
    expect(failure(() => r.accept('control', frags[0]!)).code).toBe(ErrorCode.PayloadTooLarge);
    for (const f of frags.slice(1)) expect(r.accept('control', f)).toBeUndefined();
    expect(r.ignored).toBe(frags.length - 1);
    expect(r.reservedBytes).toBe(0);
  });

  it('[W17] drops a transfer that stalls for the idle timeout and frees its memory', () => {
    const { r, clock, drops } = setup();
    const frags = splitFrame(payload(5000), 3, 1000);
    r.accept('control', frags[0]!);
    clock.advance(900);
    r.accept('control', frags[1]!);
    clock.advance(900);
    expect(drops).toEqual([]);
    expect(r.reservedBytes).toBe(5000);
    clock.advance(100);
    expect(drops).toEqual([{ stream: 'control', transfer: 3, reason: 'timeout', receivedBytes: 2 * (1000 - FRAGMENT_OVERHEAD_BYTES), total: 5000 }]);
    expect(r.reservedBytes).toBe(0);
    expect(clock.pending).toBe(0);
    // Late pieces of a dropped transfer are ignored, not restarted.
    expect(r.accept('control', frags[2]!)).toBeUndefined();
    expect(r.pending).toBe(0);
  });

  it('[W17] bounds memory: the oldest unfinished transfer is evicted to make room', () => {
    const { r, drops } = setup();
    const t1 = splitFrame(payload(9000, 1), 1, 1000);
    const t2 = splitFrame(payload(9000, 2), 2, 1000);
    const t3 = splitFrame(payload(9000, 3), 3, 1000);
    r.accept('control', t1[0]!);
    r.accept('control', t2[0]!);
    expect(r.reservedBytes).toBe(18_000);
    r.accept('control', t3[0]!);
    expect(drops.map((d) => [d.transfer, d.reason])).toEqual([[1, 'evicted']]);
    expect(r.reservedBytes).toBe(18_000);
    expect(r.reservedBytes).toBeLessThanOrEqual(20_000);
  });

  it('[W17] bounds the number of unfinished transfers', () => {
    const { r, drops } = setup({ maxTransfers: 2 });
    for (let t = 0; t < 5; t++) r.accept('control', splitFrame(payload(500, t), t, 200)[0]!);
    expect(r.pending).toBe(2);
    expect(drops.map((d) => d.transfer)).toEqual([0, 1, 2]);
  });

  it('[W18] gives up a transfer whose fragments disagree, repeat, or overflow', () => {
    const base = splitFrame(payload(3000), 9, 1000);
    const cases: Array<[string, (f: FragmentMessage[]) => FragmentMessage[]]> = [
      ['count changes', (f) => [f[0]!, { ...f[1]!, count: f[1]!.count + 1 }]],
      ['total changes', (f) => [f[0]!, { ...f[1]!, total: f[1]!.total + 1 }]],
      ['duplicate', (f) => [f[0]!, f[0]!]],
      ['overflow', (f) => [f[0]!, { ...f[1]!, chunk: new Uint8Array(3000 - f[0]!.chunk.length + 1) }]],
      ['short', (f) => [...f.slice(0, -1), { ...f.at(-1)!, chunk: f.at(-1)!.chunk.subarray(1) }]],
      ['too many pieces', () => [{ type: 'fragment', transfer: 9, index: 0, count: 100, total: 3000, chunk: new Uint8Array(10) }]],
    ];
    for (const [name, make] of cases) {
      const { r } = setup();
      const frags = make(base);
      let error: { code: string; reason: unknown } | undefined;
      for (const f of frags) {
        try {
          r.accept('control', f);
        } catch (err) {
          error = { code: (err as WireError).code, reason: (err as WireError).details['reason'] };
          break;
        }
      }
      expect(error, name).toEqual({ code: ErrorCode.MalformedFrame, reason: 'fragment-inconsistent' });
      expect(r.reservedBytes, name).toBe(0);
    }
  });

  it('[W17] clear() drops everything and cancels timers', () => {
    const { r, clock } = setup();
    r.accept('control', splitFrame(payload(3000), 1, 1000)[0]!);
    expect(clock.pending).toBe(1);
    r.clear();
    expect(clock.pending).toBe(0);
    expect(r.reservedBytes).toBe(0);
  });
});
