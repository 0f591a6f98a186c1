/**
 * A compact stream of 2D unit positions, one per shard, sent by its czar every tick.
 *
 * Why not the schema state: `@colyseus/schema` sends absolute values, about 8 bytes per moving
 * unit per tick with int16 x/y (12+ with float32). Positions move a few centimetres a tick, so
 * small differences pack into far fewer bits.
 *
 * Format (all bit fields little-endian, LSB first, see bits.ts):
 *
 * - Byte 0: `version << 4 | deflated << 3 | kind` (kind 0 keyframe, 1 delta; bit 2 reserved 0).
 *   When `deflated`, a varint raw length then the raw-DEFLATE body follows, else the body.
 * - Keyframe body: keyframe number, unit count n, then the unit ids ascending (first id, then
 *   the gaps minus one, packed at the width of the largest gap), then absolute positions as
 *   offsets from the frame's minimum x and y, packed at the width of the largest offset.
 * - Delta body: keyframe number, ticks since that keyframe, which units differ from the keyframe
 *   (none / all / bitmap over the keyframe's sorted id order / sparse index list, whichever is
 *   smallest), then for those units the zig-zag (x, y) offsets FROM THE KEYFRAME, packed at
 *   per-axis widths sized to this frame's largest offset.
 *
 * Loss (the state channel is unreliable): every delta is relative to the last keyframe, never to
 * the previous delta, so each delta alone (with its keyframe) gives every unit's position. A
 * lost delta costs nothing beyond that tick; a late one is recognised by its tick and ignored.
 * The trade-off: offsets grow with the time since the keyframe, so deltas get wider until the
 * next keyframe, and keyframes must arrive. Measured on the default workload (500 units, 1–3 m/s,
 * 20 Hz; positions-measure.ts), bytes per moving unit per tick by keyframe interval: 1: 5.36,
 * 4: 2.60, 8: 2.38, 12: 2.38, 16: 2.42, 20: 2.49, 32: 2.63. The default 16 is within 2% of the
 * best and sends half the keyframes of 8. Send keyframes on the reliable channel (or repeat them); a delta whose
 * keyframe is missing is reported as `unknown-keyframe` so the caller can ask for one
 * ({@link PositionStreamEncoder.requestKeyframe}). The alternative, deltas against a per-peer
 * acknowledged baseline, needs acks from every receiver and breaks gossip relay, where one
 * frame serves every peer.
 *
 * Units joining or leaving the set force a keyframe (the id list lives only in keyframes), as
 * does a delta that would not be smaller than a keyframe (a teleport, a long idle stretch).
 * Positions are integers in quanta (e.g. centimetres, see {@link quantize}), |value| ≤ 2^30 - 1.
 */
import { deflateSync, inflateSync } from 'fflate';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { sameItems } from '../util/arrays.js';
import { BitReader, BitWriter, bitWidth, unzigzag, varUintBits, zigzag } from './bits.js';

/** Version nibble of byte 0; a decoder refuses other versions with `incompatible-version`. */
export const POSITION_FORMAT_VERSION = 1;

/** Largest |coordinate| in quanta: 2^30 - 1 (±10,737 km at 1 cm), so offsets fit 32 bits. */
export const MAX_POSITION = 2 ** 30 - 1;

/** Most units one stream carries (bounds what a decoder allocates for a hostile frame). */
export const MAX_STREAM_UNITS = 65_536;

/** Largest unit id (u32). */
export const MAX_UNIT_ID = 0xffff_ffff;

/** Default ticks from one keyframe to the next (0.8 s at 20 Hz); see the measurements above. */
export const DEFAULT_KEYFRAME_INTERVAL = 16;

/** Bodies shorter than this are never deflated: the DEFLATE block overhead cannot pay off. */
const DEFLATE_MIN_BYTES = 96;

/** Largest inflated body a decoder accepts (guards against decompression bombs). */
const MAX_BODY_BYTES = 1 << 20;

const KIND_KEYFRAME = 0;
const KIND_DELTA = 1;
const FLAG_DEFLATED = 0b1000;
const DIRTY_NONE = 0;
const DIRTY_ALL = 1;
const DIRTY_BITMAP = 2;
const DIRTY_SPARSE = 3;

/** One unit's position in quanta. */
export interface PositionSample {
  /** Stable unit id (u32). */
  readonly id: number;
  readonly x: number;
  readonly y: number;
}

/**
 * Rounds a coordinate to an integer number of `quantum`s (default 0.01: centimetres from metres).
 *
 * @example
 * ```ts
 * quantize(12.3456); // 1235 (cm)
 * quantize(7.5, 0.5); // 15
 * ```
 */
export function quantize(value: number, quantum = 0.01): number {
  // `+ 0` turns -0 into 0.
  return Math.round(value / quantum) + 0;
}

/** Encoder options. */
export interface PositionEncoderOptions {
  /** Ticks from one keyframe to the next (≥ 1; 1 sends only keyframes). Default 16. */
  readonly keyframeInterval?: number;
  /**
   * Try raw DEFLATE on each body and keep it when smaller. Default false: on the default workload
   * it saved under 0.1% (bit-packed offsets look random), for a deflate per shard per tick.
   */
  readonly deflate?: boolean;
}

/** One encoded tick. */
export interface PositionFrame {
  readonly kind: 'keyframe' | 'delta';
  readonly bytes: Uint8Array;
  /** Number of the keyframe this frame is (or refers to). */
  readonly keyframe: number;
  /** Ticks since that keyframe (0 for a keyframe). */
  readonly tick: number;
  /** Units whose position differs from the keyframe (all units for a keyframe). */
  readonly units: number;
}

interface Sorted {
  readonly ids: number[];
  readonly x: Int32Array;
  readonly y: Int32Array;
}

function checkSamples(samples: Iterable<PositionSample>): Sorted {
  const list = [...samples];
  if (list.length > MAX_STREAM_UNITS) {
    throw new ArgumentError(`A position stream carries at most ${MAX_STREAM_UNITS} units; split the shard.`, { units: list.length });
  }
  for (const s of list) {
    if (!Number.isInteger(s.id) || s.id < 0 || s.id > MAX_UNIT_ID) {
      throw new ArgumentError(`Unit id ${String(s.id)} is invalid: use an integer in 0..${MAX_UNIT_ID}.`, { id: s.id });
    }
    for (const v of [s.x, s.y]) {
      if (!Number.isInteger(v) || Math.abs(v) > MAX_POSITION) {
        throw new ArgumentError(`Position ${String(v)} of unit ${s.id} is invalid: pass integer quanta (see quantize()) within ±${MAX_POSITION}.`, {
          id: s.id,
          value: v,
        });
      }
    }
  }
  list.sort((a, b) => a.id - b.id);
  const n = list.length;
  const ids = new Array<number>(n);
  const x = new Int32Array(n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = list[i] as PositionSample;
    if (i > 0 && s.id === ids[i - 1]) throw new ArgumentError(`Unit id ${s.id} appears twice in one tick.`, { id: s.id });
    ids[i] = s.id;
    x[i] = s.x;
    y[i] = s.y;
  }
  return { ids, x, y };
}

interface KeyframeLayout {
  readonly gapWidth: number;
  readonly minX: number;
  readonly minY: number;
  readonly bx: number;
  readonly by: number;
  readonly bits: number;
}

function keyframeLayout(s: Sorted): KeyframeLayout {
  const n = s.ids.length;
  let maxGap = 0;
  for (let i = 1; i < n; i++) maxGap = Math.max(maxGap, (s.ids[i] as number) - (s.ids[i - 1] as number) - 1);
  let minX = 0;
  let minY = 0;
  let maxX = 0;
  let maxY = 0;
  if (n > 0) {
    minX = maxX = s.x[0] as number;
    minY = maxY = s.y[0] as number;
    for (let i = 1; i < n; i++) {
      const xi = s.x[i] as number;
      const yi = s.y[i] as number;
      if (xi < minX) minX = xi;
      if (xi > maxX) maxX = xi;
      if (yi < minY) minY = yi;
      if (yi > maxY) maxY = yi;
    }
  }
  const gapWidth = bitWidth(maxGap);
  const bx = bitWidth(maxX - minX);
  const by = bitWidth(maxY - minY);
  const bits =
    varUintBits(n) + 6 + (n > 0 ? varUintBits(s.ids[0] as number) : 0) + Math.max(0, n - 1) * gapWidth + varUintBits(zigzag(minX)) + varUintBits(zigzag(minY)) + 12 + n * (bx + by);
  return { gapWidth, minX, minY, bx, by, bits };
}

/**
 * Czar side: turns each tick's positions into a keyframe or a delta frame. Keep one encoder per
 * shard for the whole term; a new czar starts a new encoder, whose first frame is a keyframe.
 *
 * @example
 * ```ts
 * const encoder = new PositionStreamEncoder();
 * const frame = encoder.encode([{ id: 1, x: quantize(3.2), y: quantize(-1) }]);
 * send(frame.bytes); // frame.kind: 'keyframe' first, then mostly 'delta'
 * ```
 */
export class PositionStreamEncoder {
  private readonly interval: number;
  private readonly deflate: boolean;
  private keyframe: Sorted | undefined;
  private keyframeNo = 0;
  private sinceKeyframe = 0;
  private forced = false;

  constructor(options: PositionEncoderOptions = {}) {
    const interval = options.keyframeInterval ?? DEFAULT_KEYFRAME_INTERVAL;
    if (!Number.isInteger(interval) || interval < 1) {
      throw new ArgumentError(`keyframeInterval ${String(interval)} is invalid: use an integer >= 1.`, { keyframeInterval: interval });
    }
    this.interval = interval;
    this.deflate = options.deflate ?? false;
  }

  /** Makes the next frame a keyframe (a peer reported `unknown-keyframe`, or a peer joined). */
  requestKeyframe(): void {
    this.forced = true;
  }

  /** Encodes this tick's positions of every unit in the shard (in any order). */
  encode(samples: Iterable<PositionSample>): PositionFrame {
    const now = checkSamples(samples);
    const kf = this.keyframe;
    if (!kf || this.forced || this.sinceKeyframe + 1 >= this.interval || !sameItems(kf.ids, now.ids)) return this.writeKeyframe(now);
    const layout = keyframeLayout(now);
    const delta = this.planDelta(kf, now);
    if (delta.bits >= layout.bits) return this.writeKeyframe(now, layout);
    this.sinceKeyframe++;
    const w = new BitWriter(delta.bits / 8 + 16);
    w.writeVarUint(this.keyframeNo);
    w.writeVarUint(this.sinceKeyframe);
    w.write(delta.mode, 2);
    const n = now.ids.length;
    if (delta.mode === DIRTY_BITMAP) {
      for (let i = 0; i < n; i++) w.write(delta.dirty[i] ? 1 : 0, 1);
    } else if (delta.mode === DIRTY_SPARSE) {
      w.writeVarUint(delta.count);
      w.write(delta.gapWidth, 6);
      let prev = -1;
      for (let i = 0; i < n; i++) {
        if (!delta.dirty[i]) continue;
        w.write(i - prev - 1, delta.gapWidth);
        prev = i;
      }
    }
    w.write(delta.bx, 6);
    w.write(delta.by, 6);
    for (let i = 0; i < n; i++) {
      if (!delta.dirty[i]) continue;
      w.write(zigzag((now.x[i] as number) - (kf.x[i] as number)), delta.bx);
      w.write(zigzag((now.y[i] as number) - (kf.y[i] as number)), delta.by);
    }
    return { kind: 'delta', bytes: this.frame(KIND_DELTA, w.finish()), keyframe: this.keyframeNo, tick: this.sinceKeyframe, units: delta.count };
  }

  private planDelta(kf: Sorted, now: Sorted): { mode: number; dirty: Uint8Array; count: number; gapWidth: number; bx: number; by: number; bits: number } {
    const n = now.ids.length;
    const dirty = new Uint8Array(n);
    let count = 0;
    let maxZx = 0;
    let maxZy = 0;
    let maxGap = 0;
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const dx = (now.x[i] as number) - (kf.x[i] as number);
      const dy = (now.y[i] as number) - (kf.y[i] as number);
      if (dx === 0 && dy === 0) continue;
      dirty[i] = 1;
      count++;
      maxZx = Math.max(maxZx, zigzag(dx));
      maxZy = Math.max(maxZy, zigzag(dy));
      maxGap = Math.max(maxGap, i - prev - 1);
      prev = i;
    }
    const bx = bitWidth(maxZx);
    const by = bitWidth(maxZy);
    const gapWidth = bitWidth(maxGap);
    const sparseBits = varUintBits(count) + 6 + count * gapWidth;
    let mode: number;
    let setBits: number;
    if (count === 0) [mode, setBits] = [DIRTY_NONE, 0];
    else if (count === n) [mode, setBits] = [DIRTY_ALL, 0];
    else if (sparseBits < n) [mode, setBits] = [DIRTY_SPARSE, sparseBits];
    else [mode, setBits] = [DIRTY_BITMAP, n];
    const bits = varUintBits(this.keyframeNo) + varUintBits(this.sinceKeyframe + 1) + 2 + setBits + 12 + count * (bx + by);
    return { mode, dirty, count, gapWidth, bx, by, bits };
  }

  private writeKeyframe(now: Sorted, given?: KeyframeLayout): PositionFrame {
    const layout = given ?? keyframeLayout(now);
    this.keyframe = now;
    this.keyframeNo++;
    this.sinceKeyframe = 0;
    this.forced = false;
    const n = now.ids.length;
    const w = new BitWriter(layout.bits / 8 + 16);
    w.writeVarUint(this.keyframeNo);
    w.writeVarUint(n);
    w.write(layout.gapWidth, 6);
    if (n > 0) w.writeVarUint(now.ids[0] as number);
    for (let i = 1; i < n; i++) w.write((now.ids[i] as number) - (now.ids[i - 1] as number) - 1, layout.gapWidth);
    w.writeVarUint(zigzag(layout.minX));
    w.writeVarUint(zigzag(layout.minY));
    w.write(layout.bx, 6);
    w.write(layout.by, 6);
    for (let i = 0; i < n; i++) {
      w.write((now.x[i] as number) - layout.minX, layout.bx);
      w.write((now.y[i] as number) - layout.minY, layout.by);
    }
    return { kind: 'keyframe', bytes: this.frame(KIND_KEYFRAME, w.finish()), keyframe: this.keyframeNo, tick: 0, units: n };
  }

  private frame(kind: number, body: Uint8Array): Uint8Array {
    const head = (POSITION_FORMAT_VERSION << 4) | kind;
    if (this.deflate && body.length >= DEFLATE_MIN_BYTES) {
      const packed = deflateSync(body, { level: 6 });
      const lenBits = new BitWriter(8);
      lenBits.writeVarUint(body.length);
      const len = lenBits.finish();
      if (1 + len.length + packed.length < 1 + body.length) {
        const out = new Uint8Array(1 + len.length + packed.length);
        out[0] = head | FLAG_DEFLATED;
        out.set(len, 1);
        out.set(packed, 1 + len.length);
        return out;
      }
    }
    const out = new Uint8Array(1 + body.length);
    out[0] = head;
    out.set(body, 1);
    return out;
  }
}

/** What {@link PositionStreamDecoder.apply} did with a frame. */
export type PositionApplyResult =
  | { readonly applied: true; readonly kind: 'keyframe' | 'delta'; readonly keyframe: number; readonly tick: number }
  | {
      readonly applied: false;
      readonly kind: 'keyframe' | 'delta';
      /** `stale`: older than what is applied (late or duplicate). `unknown-keyframe`: its keyframe never arrived. */
      readonly reason: 'stale' | 'unknown-keyframe';
      readonly keyframe: number;
      readonly tick: number;
    };

/**
 * Replica side: applies keyframes and deltas in whatever order they arrive and keeps the newest
 * positions. Malformed frames throw {@link WireError} and change nothing.
 *
 * @example
 * ```ts
 * const decoder = new PositionStreamDecoder();
 * decoder.apply(frame.bytes);
 * decoder.forEach((id, x, y) => drawUnit(id, x / 100, y / 100));
 * ```
 */
export class PositionStreamDecoder {
  private ids: number[] = [];
  private index = new Map<number, number>();
  private kfX = new Int32Array(0);
  private kfY = new Int32Array(0);
  private curX = new Int32Array(0);
  private curY = new Int32Array(0);
  private keyframeNo = 0;
  private tickNo = 0;

  /**
   * Forgets everything. Keyframe numbers restart with each encoder, so call this (or make a new
   * decoder) when the shard's czar changes: one decoder per (shard, term).
   */
  reset(): void {
    this.ids = [];
    this.index = new Map();
    this.kfX = this.kfY = this.curX = this.curY = new Int32Array(0);
    this.keyframeNo = 0;
    this.tickNo = 0;
  }

  /** Number of the applied keyframe (0 before the first one). */
  get keyframe(): number {
    return this.keyframeNo;
  }

  /** Ticks since that keyframe of the newest applied frame. */
  get tick(): number {
    return this.tickNo;
  }

  /** Units known from the applied keyframe. */
  get size(): number {
    return this.ids.length;
  }

  /** Unit ids, ascending. */
  unitIds(): readonly number[] {
    return this.ids;
  }

  /** Position of unit `id` in quanta, if the applied keyframe has it. */
  get(id: number): { readonly x: number; readonly y: number } | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : { x: this.curX[i] as number, y: this.curY[i] as number };
  }

  /** Calls `fn` for each unit, ids ascending. */
  forEach(fn: (id: number, x: number, y: number) => void): void {
    for (let i = 0; i < this.ids.length; i++) fn(this.ids[i] as number, this.curX[i] as number, this.curY[i] as number);
  }

  /** Applies one frame. Throws {@link WireError} (`malformed-frame` or `incompatible-version`) on bad bytes. */
  apply(bytes: Uint8Array): PositionApplyResult {
    if (!(bytes instanceof Uint8Array)) throw new ArgumentError('A position frame must be a Uint8Array.');
    const body = unpack(bytes);
    const kind = ((bytes[0] as number) & 0b11) === KIND_KEYFRAME ? 'keyframe' : 'delta';
    const r = new BitReader(body, 'position');
    return kind === 'keyframe' ? this.applyKeyframe(r) : this.applyDelta(r);
  }

  private applyKeyframe(r: BitReader): PositionApplyResult {
    const keyframe = r.readVarUint(Number.MAX_SAFE_INTEGER);
    const n = r.readVarUint(MAX_STREAM_UNITS);
    const gapWidth = readWidth(r);
    const ids = new Array<number>(n);
    if (n > 0) ids[0] = r.readVarUint(MAX_UNIT_ID);
    for (let i = 1; i < n; i++) {
      const id = (ids[i - 1] as number) + 1 + r.read(gapWidth);
      if (id > MAX_UNIT_ID) throw r.fail('unit-id-out-of-range');
      ids[i] = id;
    }
    const minX = readCoordinate(r);
    const minY = readCoordinate(r);
    const bx = readWidth(r);
    const by = readWidth(r);
    const x = new Int32Array(n);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = checkCoordinate(r, minX + r.read(bx));
      y[i] = checkCoordinate(r, minY + r.read(by));
    }
    r.end();
    if (keyframe <= this.keyframeNo) return { applied: false, kind: 'keyframe', reason: 'stale', keyframe, tick: 0 };
    this.ids = ids;
    this.index = new Map(ids.map((id, i) => [id, i]));
    this.kfX = x;
    this.kfY = y;
    this.curX = x.slice();
    this.curY = y.slice();
    this.keyframeNo = keyframe;
    this.tickNo = 0;
    return { applied: true, kind: 'keyframe', keyframe, tick: 0 };
  }

  private applyDelta(r: BitReader): PositionApplyResult {
    const keyframe = r.readVarUint(Number.MAX_SAFE_INTEGER);
    const tick = r.readVarUint(Number.MAX_SAFE_INTEGER);
    if (tick === 0) throw r.fail('delta-at-tick-0');
    // A delta can only be parsed against its own keyframe (the unit count comes from it).
    if (keyframe !== this.keyframeNo || this.keyframeNo === 0) {
      const reason = keyframe > this.keyframeNo ? 'unknown-keyframe' : 'stale';
      return { applied: false, kind: 'delta', reason, keyframe, tick };
    }
    const n = this.ids.length;
    const mode = r.read(2);
    const dirty: number[] = [];
    if (mode === DIRTY_ALL) {
      for (let i = 0; i < n; i++) dirty.push(i);
    } else if (mode === DIRTY_BITMAP) {
      for (let i = 0; i < n; i++) if (r.read(1) === 1) dirty.push(i);
    } else if (mode === DIRTY_SPARSE) {
      const count = r.readVarUint(n);
      const gapWidth = readWidth(r);
      let prev = -1;
      for (let k = 0; k < count; k++) {
        prev = prev + 1 + r.read(gapWidth);
        if (prev >= n) throw r.fail('unit-index-out-of-range');
        dirty.push(prev);
      }
    }
    const bx = readWidth(r);
    const by = readWidth(r);
    const x = new Int32Array(dirty.length);
    const y = new Int32Array(dirty.length);
    for (let k = 0; k < dirty.length; k++) {
      const i = dirty[k] as number;
      x[k] = checkCoordinate(r, (this.kfX[i] as number) + unzigzag(r.read(bx)));
      y[k] = checkCoordinate(r, (this.kfY[i] as number) + unzigzag(r.read(by)));
    }
    r.end();
    if (tick <= this.tickNo) return { applied: false, kind: 'delta', reason: 'stale', keyframe, tick };
    // Every delta is complete relative to its keyframe: units it does not list are AT the keyframe.
    this.curX.set(this.kfX);
    this.curY.set(this.kfY);
    for (let k = 0; k < dirty.length; k++) {
      const i = dirty[k] as number;
      this.curX[i] = x[k] as number;
      this.curY[i] = y[k] as number;
    }
    this.tickNo = tick;
    return { applied: true, kind: 'delta', keyframe, tick };
  }
}

function readWidth(r: BitReader): number {
  const w = r.read(6);
  if (w > 32) throw r.fail('width-out-of-range');
  return w;
}

function readCoordinate(r: BitReader): number {
  return checkCoordinate(r, unzigzag(r.readVarUint(2 * MAX_POSITION)));
}

function checkCoordinate(r: BitReader, v: number): number {
  if (Math.abs(v) > MAX_POSITION) throw r.fail('position-out-of-range');
  return v;
}

function unpack(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw malformed('empty');
  const head = bytes[0] as number;
  const version = head >>> 4;
  if (version !== POSITION_FORMAT_VERSION) {
    throw new WireError(ErrorCode.IncompatibleVersion, `Position frame version ${version} is not supported (this build reads ${POSITION_FORMAT_VERSION}): update the SDK.`, {
      version,
    });
  }
  if ((head & 0b0100) !== 0 || (head & 0b11) > KIND_DELTA) throw malformed('bad-header');
  if ((head & FLAG_DEFLATED) === 0) return bytes.subarray(1);
  const r = new BitReader(bytes.subarray(1), 'position');
  const rawLength = r.readVarUint(MAX_BODY_BYTES);
  const offset = 1 + r.byteOffset;
  const out = new Uint8Array(rawLength);
  let body: Uint8Array;
  try {
    body = inflateSync(bytes.subarray(offset), { out });
  } catch (cause) {
    throw malformed('bad-deflate', cause);
  }
  if (body.length !== rawLength) throw malformed('bad-deflate-length');
  return body;
}

function malformed(reason: string, cause?: unknown): WireError {
  return new WireError(
    ErrorCode.MalformedFrame,
    `A position frame is malformed (${reason}): drop it and wait for the next keyframe.`,
    { what: 'position', reason },
    cause === undefined ? undefined : { cause },
  );
}
