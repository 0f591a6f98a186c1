/**
 * One shard's state, on both sides of replication. The czar holds a {@link ShardWriter} (the
 * only place the shard is mutated) and turns its changes into binary deltas; every replica holds a
 * {@link ShardReader} that applies a snapshot, then the deltas that follow it.
 *
 * Rules the layer above must keep, cited by id in tests; the spec of record is SPEC.md, section R:
 * [R1] a reader starts from a snapshot of the same writer; [R2] deltas apply in encoding order,
 * each once (numbering is the engine's, [R10]); [R3] snapshots only on a delta boundary;
 * [R4] undecodable bytes are a typed `WireError`, a failed delta leaves the reader needing a
 * snapshot, and an empty snapshot is valid only for a schema whose default state encodes to no
 * bytes; [R5] integrity is the wire layer's (snapshots are type-checked, deltas are not);
 * [R6] map order is not replicated, so {@link stateHash} sorts map keys.
 *
 * - Fields tagged `.unreliable()` are not carried by {@link ShardWriter.encodeDelta}; send fast
 *   changing values through a separate stream (see positions.ts) instead.
 */
import { $changes, $deleteByIndex, ArraySchema, Decoder, Encoder, Schema, type DataChange } from '@colyseus/schema';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { Emitter } from '../util/emitter.js';
import { canonicalCopy } from './canonical.js';
import { stateHash, type StateHash } from './state-hash.js';

/** A schema class (`schema({...})` result) or a function returning a fresh state instance. */
export type StateSource<S extends Schema> = (new () => S) | (() => S);

/** What a reader reports after applying a snapshot or a delta. */
export interface ShardChangeEvent<S extends Schema> {
  /** `snapshot`: `state` is a new instance replacing the previous one. */
  readonly kind: 'snapshot' | 'delta';
  readonly state: S;
  /** Field-level changes, as the schema decoder reports them (ADD/REPLACE/DELETE per field or key). */
  readonly changes: readonly DataChange[];
}

function isSchemaClass<S extends Schema>(source: StateSource<S>): source is new () => S {
  return typeof source === 'function' && source.prototype instanceof Schema;
}

function create<S extends Schema>(source: StateSource<S>): S {
  const state = isSchemaClass(source) ? new source() : (source as () => S)();
  if (!(state instanceof Schema)) {
    throw new ArgumentError('The state source must be a schema class or return a Schema instance: pass the class made by schema({...}).');
  }
  return state;
}

type IndexWrite = (this: unknown, index: number, ...rest: unknown[]) => unknown;

/**
 * The schema decoder with two guards:
 *
 * - It counts the structures it had to skip: the library logs and skips unknown references or
 *   fields instead of throwing, and those skips are how we learn a delta did not fit.
 * - It bounds array indexes. The library writes `items[index]` for any index a peer sends and
 *   then compacts with a loop over the whole length, so one corrupted index byte (read as a
 *   32-bit number) froze a replica for 45 s in our fuzzing. A legitimate message cannot address
 *   past the current length plus its own byte count (every array op costs at least one byte), so
 *   a larger index throws, and the decode is reported as malformed ([R4]).
 */
class CheckedDecoder<S extends Schema> extends Decoder<S> {
  skipped = 0;
  private slack = 0;
  private readonly guarded = new WeakSet<object>();

  constructor(state: S) {
    super(state);
    // Every collection the decoder creates or replaces is registered here, before any write.
    const tracker = this.root;
    const addRef = tracker.addRef.bind(tracker);
    tracker.addRef = (refId, ref, incrementCount) => {
      if (ref instanceof ArraySchema) this.guardArray(ref);
      addRef(refId, ref, incrementCount);
    };
  }

  override decode(bytes: Uint8Array, it?: { offset: number }, ref?: Parameters<Decoder<S>['decode']>[2]): DataChange[] {
    this.slack = bytes.length;
    return super.decode(bytes, it, ref);
  }

  override skipCurrentStructure(bytes: Uint8Array, it: { offset: number }, totalBytes: number): void {
    this.skipped++;
    super.skipCurrentStructure(bytes, it, totalBytes);
  }

  private guardArray(array: object): void {
    if (this.guarded.has(array)) return;
    this.guarded.add(array);
    const decoder = this;
    const bound = (original: IndexWrite): IndexWrite =>
      function (this: unknown, index: number, ...rest: unknown[]): unknown {
        const items = (this as { items?: unknown[] }).items ?? [];
        if (typeof index === 'number' && index > items.length + decoder.slack) {
          throw new RangeError(`array index ${index} is beyond length ${items.length} + message size ${decoder.slack}`);
        }
        return original.call(this, index, ...rest);
      };
    const target = array as Record<string | symbol, unknown>;
    // Own, non-enumerable properties on this decoder's instances only: the library's classes are
    // shared with every other user of @colyseus/schema and stay untouched.
    for (const key of ['$setAt', $deleteByIndex] as const) {
      const original = target[key];
      if (typeof original === 'function') {
        Object.defineProperty(array, key, { value: bound(original as IndexWrite), enumerable: false, configurable: true, writable: true });
      }
    }
  }
}

function requireBytes(bytes: unknown, what: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`${what} must be a Uint8Array.`, { got: typeof bytes });
}

/**
 * The output buffer of every writer's encoder. Each `Encoder` allocates its own (16 KB by
 * default) and keeps it for life, though a writer copies what it encodes out at once; a peer of
 * a large world writes dozens of shards and a simulation runs thousands of peers (at 64 peers of
 * a 2,048-sector world these buffers were 41 of 150 MB). One shared buffer, grown when a state
 * outgrows it, serves them all: JavaScript runs one encode at a time.
 */
const encodeBuffer: { bytes: Uint8Array | undefined } = { bytes: undefined };

/**
 * Czar side: owns the state, encodes deltas and snapshots.
 *
 * @example
 * ```ts
 * const writer = new ShardWriter(new Score());
 * writer.mutate((s) => void (s.total += 1));
 * const delta = writer.encodeDelta(); // undefined when nothing changed
 * ```
 */
export class ShardWriter<S extends Schema> {
  private readonly encoder: Encoder<S>;

  /**
   * Takes ownership of `state` (keep mutating it only through {@link mutate}). Changes made before
   * this call are folded into the state a first snapshot carries, never into a delta ([R1]).
   * Throws {@link ArgumentError} for a state another writer owns or a reader decoded.
   */
  constructor(state: S) {
    if (!(state instanceof Schema)) throw new ArgumentError('ShardWriter needs a Schema instance.');
    if ((state as unknown as Record<symbol, { root?: unknown } | undefined>)[$changes]?.root !== undefined) {
      throw new ArgumentError('This state already belongs to a ShardWriter: a state can have one writer; clone() it for another.');
    }
    try {
      this.encoder = new Encoder(state);
    } catch (cause) {
      throw new ArgumentError('This state cannot be encoded (it was built by a decoder): use ShardReader.toWriter() or ShardWriter.fromSnapshot().', {
        cause: String(cause),
      });
    }
    this.encoder.discardChanges();
  }

  /**
   * A writer whose state is decoded from `snapshot`: how a promoted backup starts writing. Its
   * first message must be {@link encodeSnapshot} ([R1]). Throws {@link WireError} on bad bytes.
   */
  static fromSnapshot<S extends Schema>(source: StateSource<S>, snapshot: Uint8Array): ShardWriter<S> {
    const reader = new ShardReader(source);
    reader.applySnapshot(snapshot);
    return reader.toWriter();
  }

  /** The live state. Read freely; write only inside {@link mutate}. */
  get state(): S {
    return this.encoder.state;
  }

  /** Runs `fn` on the state; its changes go into the next delta. Returns what `fn` returns. */
  mutate<R>(fn: (state: S) => R): R {
    return fn(this.encoder.state);
  }

  /** True when a mutation happened since the last {@link encodeDelta}. */
  hasChanges(): boolean {
    return this.encoder.hasChanges;
  }

  /**
   * The changes since the previous call as one delta, or `undefined` when there are none. The
   * changes are then forgotten: deltas must reach readers in order ([R2]).
   */
  encodeDelta(): Uint8Array | undefined {
    if (!this.encoder.hasChanges) return undefined;
    const bytes = this.encoded(() => this.encoder.encode());
    this.encoder.discardChanges();
    return bytes;
  }

  /**
   * The full state as of the last {@link encodeDelta}. Throws {@link ArgumentError} when changes
   * are pending: call `encodeDelta()` first and send that delta ([R3]).
   */
  encodeSnapshot(): Uint8Array {
    if (this.encoder.hasChanges) {
      throw new ArgumentError('encodeSnapshot() with unsent changes: call encodeDelta() first and send it, so the snapshot sits on a delta boundary.', {
        reason: 'pending-changes',
      });
    }
    return this.encoded(() => this.encoder.encodeAll());
  }

  /**
   * Runs an encode into the buffer all writers share and copies the bytes out: the encode returns
   * a view of the buffer, which the next encode (of any writer) overwrites.
   */
  private encoded(encode: () => Uint8Array): Uint8Array {
    this.encoder.sharedBuffer = encodeBuffer.bytes ??= this.encoder.sharedBuffer;
    const bytes = encode().slice();
    // A state larger than the buffer made the encoder grow it: keep the larger one for all.
    encodeBuffer.bytes = this.encoder.sharedBuffer;
    return bytes;
  }

  /** {@link stateHash} of the current state. */
  hash(): StateHash {
    return stateHash(this.encoder.state);
  }
}

/**
 * Replica side: applies a snapshot then deltas, and reports changes.
 *
 * @example
 * ```ts
 * const reader = new ShardReader(Score);
 * reader.applySnapshot(writer.encodeSnapshot());
 * reader.applyDelta(delta);
 * console.log(reader.state.total, reader.hash() === writer.hash());
 * ```
 */
export class ShardReader<S extends Schema> {
  private readonly source: StateSource<S>;
  private current: S;
  private decoder: CheckedDecoder<S>;
  private snapshotApplied = false;
  private broken = false;
  private readonly events = new Emitter<{ change: ShardChangeEvent<S> }>();

  /** `source` must describe the same schema as the writer's state. */
  constructor(source: StateSource<S>) {
    this.source = source;
    this.current = create(source);
    this.decoder = new CheckedDecoder(this.current);
  }

  /** The replica state (a new instance after each snapshot; re-read it after `snapshot` events). */
  get state(): S {
    return this.current;
  }

  /** True until a snapshot is applied, and again after a delta failed to decode ([R1], [R4]). */
  get needsSnapshot(): boolean {
    return !this.snapshotApplied || this.broken;
  }

  /**
   * Replaces the state with `bytes` (a writer's {@link ShardWriter.encodeSnapshot}). Throws
   * {@link WireError} `malformed-frame` if they do not decode; the previous state stays ([R4]).
   */
  applySnapshot(bytes: Uint8Array): void {
    requireBytes(bytes, 'A snapshot');
    const state = create(this.source);
    // A state whose fields are all primitives at their defaults encodes to no bytes at all; for
    // any other schema an empty snapshot is malformed.
    if (bytes.length === 0 && !encodesEmpty(state)) throw malformed('snapshot', 'empty');
    const decoder = new CheckedDecoder(state);
    const changes = this.decode(decoder, bytes, 'snapshot');
    // A snapshot is rare and replaces everything: worth one walk to refuse values the schema
    // does not allow instead of handing them to game code ([R4]).
    canonicalCopy(state);
    this.current = state;
    this.decoder = decoder;
    this.snapshotApplied = true;
    this.broken = false;
    if (changes) this.events.emit('change', { kind: 'snapshot', state, changes });
  }

  /**
   * Applies one delta on top of the state. Throws {@link ArgumentError} when {@link needsSnapshot}
   * is true, and {@link WireError} `malformed-frame` when the delta does not fit the state (the
   * reader then needs a snapshot, [R4]). Order is the caller's job ([R2]).
   */
  applyDelta(bytes: Uint8Array): void {
    requireBytes(bytes, 'A delta');
    if (this.needsSnapshot) {
      throw new ArgumentError(
        this.broken ? 'This shard replica is out of sync after a bad delta: apply a fresh snapshot.' : 'Apply a snapshot before deltas.',
        { reason: this.broken ? 'desynced' : 'no-snapshot' },
      );
    }
    let changes: DataChange[] | undefined;
    try {
      changes = this.decode(this.decoder, bytes, 'delta');
    } catch (err) {
      this.broken = true;
      throw err;
    }
    if (changes) this.events.emit('change', { kind: 'delta', state: this.current, changes });
  }

  /** Subscribes to applied snapshots and deltas; returns an unsubscribe function. */
  onChange(listener: (event: ShardChangeEvent<S>) => void): () => void {
    return this.events.on('change', listener);
  }

  /**
   * A writer starting from a copy of this replica's state: how a backup becomes czar. Its first
   * message must be a snapshot ([R1]); this reader is left as it was. Throws {@link WireError}
   * when the replica holds values its schema does not allow.
   */
  toWriter(): ShardWriter<S> {
    // The canonical copy validates (typed errors on a corrupted replica) and sorts map keys,
    // which is harmless here: the new writer's first message is a snapshot anyway.
    return new ShardWriter(canonicalCopy(this.current));
  }

  /** {@link stateHash} of the replica state; WireError if a corrupted delta left bad values ([R5]). */
  hash(): StateHash {
    return stateHash(this.current);
  }

  /** Decodes and returns the collected changes (`undefined` when nobody listens). */
  private decode(decoder: CheckedDecoder<S>, bytes: Uint8Array, what: 'snapshot' | 'delta'): DataChange[] | undefined {
    let collected: DataChange[] | undefined;
    // Collecting per-field changes allocates; do it only when someone listens.
    if (this.events.listenerCount('change') > 0) {
      decoder.triggerChanges = (all) => {
        collected = all;
      };
    } else {
      delete decoder.triggerChanges;
    }
    const skippedBefore = decoder.skipped;
    try {
      decoder.decode(bytes);
    } catch (cause) {
      throw malformed(what, 'decoder-threw', cause);
    }
    if (decoder.skipped !== skippedBefore) throw malformed(what, 'unknown-structure');
    return collected ?? (this.events.listenerCount('change') > 0 ? [] : undefined);
  }
}

/** True when `state` (fresh from its class) encodes to zero bytes, so its snapshot is empty. */
function encodesEmpty(state: Schema): boolean {
  try {
    return new Encoder(create(state.constructor as new () => Schema)).encodeAll().length === 0;
  } catch {
    return false;
  }
}

function malformed(what: string, reason: string, cause?: unknown): WireError {
  return new WireError(
    ErrorCode.MalformedFrame,
    `A shard ${what} did not decode against this schema (${reason}): request a fresh snapshot from the czar.`,
    { what, reason },
    cause === undefined ? undefined : { cause },
  );
}
