/**
 * The wire fuzzer ([W25]): random frames and mutations of valid ones, fed to the decoder and to an
 * {@link Inbox}, with an oracle for each:
 *
 * - corrupted frames (bit flips, truncation, extension, byte swaps, overwrites, length lies; the
 *   checksum left as it was) must be rejected: one that decodes is a *silent accept*;
 * - structurally mutated frames (huge varints, lying lengths and counts, random bodies, flags and
 *   types, with the checksum recomputed so the body decoders are reached) must be rejected with a
 *   WireError or decode to valid messages that re-encode to the very same bytes;
 * - fragmented transfers (reordered, corrupted, duplicated, inconsistent, nested, oversized) must
 *   deliver the original message or nothing.
 *
 * Anything but a WireError escaping is a *crash*; tripping the decode work budget (or, when a
 * clock is given, a case slower than `hangMs`) is a *hang*. Each case draws from its own RNG
 * seeded by (seed, case index), so `--seed S --case I` replays one case exactly.
 */
import { ErrorCode, WireError } from '../errors.js';
import { VirtualClock } from '../util/clock.js';
import { type Rng, SeededRng, chance, randomInt } from '../util/rng.js';
import { arbitraryMessage, randomBytes } from './arbitrary.js';
import { HEADER_BYTES, HeaderOffset, MAGIC, type DecodedFrame, type SignatureTrailer, decodeFrame, encodeFrame, frameChecksum, frameFromEncoded } from './frame.js';
import { splitFrame } from './fragment.js';
import { Inbox } from './inbox.js';
import { type FrameMessage, MESSAGE_TYPES, encodeMessage } from './messages.js';
import { PROTOCOL_VERSION } from './version.js';

export interface FuzzOptions {
  readonly seed: number;
  /** Feed at least this many frames. */
  readonly frames: number;
  /** Replay only this case. */
  readonly onlyCase?: number;
  /** The decoder under test; default {@link decodeFrame}. (Tests plant broken ones to prove the oracle bites.) */
  readonly decode?: (bytes: Uint8Array) => DecodedFrame;
  /** A clock for spotting slow cases; without one only the decode work budget detects hangs. */
  readonly now?: () => number;
  /** A case slower than this counts as a hang; default 1,000 ms. */
  readonly hangMs?: number;
  /** Failures kept with details; default 20. */
  readonly keepFailures?: number;
  /** Called each time another `progressEvery` frames (default 100,000) were fed. */
  readonly onProgress?: (report: FuzzReport) => void;
  readonly progressEvery?: number;
}

export interface FuzzFailure {
  readonly case: number;
  readonly kind: string;
  readonly problem: 'crash' | 'hang' | 'silent-accept' | 'invariant';
  readonly detail: string;
  /** The command that replays this case. */
  readonly replay: string;
}

export interface FuzzReport {
  readonly seed: number;
  frames: number;
  cases: number;
  crashes: number;
  hangs: number;
  /** Corrupted frames that decoded to something other than what was encoded. */
  silentAccepts: number;
  /** Mutated frames accepted although not canonical, or valid input lost. */
  invariantViolations: number;
  /** Frames that decoded (valid ones and structurally mutated ones that stayed valid). */
  accepted: number;
  /** Rejections by `code` or `code/reason`. */
  rejections: Record<string, number>;
  /** Cases per kind. */
  kinds: Record<string, number>;
  slowestCaseMs: number;
  failures: FuzzFailure[];
}

/** Total of crashes, hangs, silent accepts and invariant violations: 0 means the run passed. */
export function fuzzProblems(r: FuzzReport): number {
  return r.crashes + r.hangs + r.silentAccepts + r.invariantViolations;
}

/** The command that replays `seed` (one case, or a whole run of `frames`). */
export function replayCommand(seed: number, options: { case?: number; frames?: number } = {}): string {
  const rest = options.case !== undefined ? ` --case ${options.case}` : options.frames !== undefined ? ` --frames ${options.frames}` : '';
  return `pnpm fuzz --seed ${seed}${rest}`;
}

/** A one-line summary, with replay commands for the first failures. */
export function describeFuzz(r: FuzzReport): string {
  const head =
    `fuzz seed ${r.seed}: ${r.frames} frames in ${r.cases} cases: ${r.crashes} crashes, ${r.hangs} hangs, ` +
    `${r.silentAccepts} silent accepts, ${r.invariantViolations} invariant violations (${r.accepted} accepted)`;
  const lines = r.failures.slice(0, 5).map((f) => `  case ${f.case} (${f.kind}) ${f.problem}: ${f.detail}\n    replay: ${f.replay}`);
  return [head, ...lines].join('\n');
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** The canonical uncompressed encoding of decoded messages: equal bytes ⇔ equal messages. */
function canonical(messages: readonly FrameMessage[], signature?: SignatureTrailer): Uint8Array {
  return frameFromEncoded(messages.map(encodeMessage), signature ? { compress: 'never', signature } : { compress: 'never' });
}

function fixChecksum(frame: Uint8Array): Uint8Array {
  if (frame.length >= HEADER_BYTES) {
    const crc = frameChecksum(frame);
    frame[HeaderOffset.Checksum] = crc >>> 24;
    frame[HeaderOffset.Checksum + 1] = crc >>> 16;
    frame[HeaderOffset.Checksum + 2] = crc >>> 8;
    frame[HeaderOffset.Checksum + 3] = crc;
  }
  return frame;
}

function setLength(frame: Uint8Array, length: number): void {
  frame[HeaderOffset.Length] = length >>> 24;
  frame[HeaderOffset.Length + 1] = length >>> 16;
  frame[HeaderOffset.Length + 2] = length >>> 8;
  frame[HeaderOffset.Length + 3] = length;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[randomInt(rng, items.length)]!;

/** A valid frame of 1–6 random messages; sometimes signed, sometimes compressed. */
function validFrame(rng: Rng): Uint8Array {
  const n = chance(rng, 0.4) ? 1 : 2 + randomInt(rng, 5);
  const messages = Array.from({ length: n }, () => arbitraryMessage(rng, undefined, { maxBytes: chance(rng, 0.1) ? 400 : 40 }));
  const signature = chance(rng, 0.1) ? { scheme: 1 + randomInt(rng, 255), signature: randomBytes(rng, 1 + randomInt(rng, 80)) } : undefined;
  if (chance(rng, 0.08)) {
    // Compressible: repeated text makes DEFLATE pay.
    const filler = new TextEncoder().encode('unit moved to sector 12,7 at scale 3; '.repeat(10 + randomInt(rng, 40)));
    messages.push({ type: 'snapshot', shard: randomInt(rng, 100), term: 1, seq: randomInt(rng, 1000), payload: filler });
    return encodeFrame(messages, signature ? { compress: 'always', signature } : { compress: 'always' });
  }
  return encodeFrame(messages, signature ? { compress: 'never', signature } : { compress: 'never' });
}

type Kind = { readonly name: string; readonly weight: number; readonly run: (rng: Rng, run: FuzzRun) => void };

/** One fuzz run's bookkeeping and oracles. */
class FuzzRun {
  caseIndex = 0;
  kind = '';

  constructor(
    readonly report: FuzzReport,
    private readonly decode: (bytes: Uint8Array) => DecodedFrame,
    private readonly keepFailures: number,
  ) {}

  fail(problem: FuzzFailure['problem'], detail: string): void {
    if (problem === 'crash') this.report.crashes++;
    else if (problem === 'hang') this.report.hangs++;
    else if (problem === 'silent-accept') this.report.silentAccepts++;
    else this.report.invariantViolations++;
    if (this.report.failures.length < this.keepFailures) {
      this.report.failures.push({ case: this.caseIndex, kind: this.kind, problem, detail, replay: replayCommand(this.report.seed, { case: this.caseIndex }) });
    }
  }

  /** Decodes, classifying the outcome; returns the frame or undefined when rejected. */
  private tryDecode(bytes: Uint8Array): DecodedFrame | undefined {
    this.report.frames++;
    try {
      const d = this.decode(bytes);
      this.report.accepted++;
      return d;
    } catch (err) {
      this.rejected(err);
      return undefined;
    }
  }

  rejected(err: unknown): void {
    // An `internal` WireError is how the Inbox reports a bug of ours: a crash it caught.
    if (!(err instanceof WireError) || err.code === ErrorCode.Internal) {
      this.fail('crash', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      return;
    }
    const reason = err.details['reason'];
    if (reason === 'decode-budget') this.fail('hang', err.message);
    const key = typeof reason === 'string' ? `${err.code}/${reason}` : err.code;
    this.report.rejections[key] = (this.report.rejections[key] ?? 0) + 1;
  }

  /** A valid frame must decode; returns its canonical form. */
  original(frame: Uint8Array): Uint8Array | undefined {
    const d = this.tryDecode(frame);
    if (!d) {
      this.fail('invariant', 'a valid frame was rejected');
      return undefined;
    }
    return canonical(d.messages, d.signature);
  }

  /** A corrupted copy of a frame (checksum untouched) must not decode to anything else. */
  corrupt(bytes: Uint8Array, frame: Uint8Array, expected: Uint8Array): void {
    if (equalBytes(bytes, frame)) return; // the mutation was a no-op: nothing to judge
    const d = this.tryDecode(bytes);
    if (!d) return;
    let same = false;
    try {
      same = equalBytes(canonical(d.messages, d.signature), expected);
    } catch {
      // Decoded messages that cannot even be re-encoded are certainly not what was sent.
    }
    this.fail('silent-accept', same ? 'a changed frame was accepted (same messages)' : 'a corrupted frame was accepted');
  }

  /** A structurally mutated frame with a valid checksum: rejected, or valid and canonical. */
  structural(bytes: Uint8Array): void {
    const d = this.tryDecode(bytes);
    if (!d) return;
    try {
      if (d.skipped > 0) {
        // Unknown types were skipped, so there is no canonical form to compare; what was kept must be valid.
        for (const m of d.messages) encodeMessage(m);
        return;
      }
      const again = canonical(d.messages, d.signature);
      if (!d.compressed) {
        if (!equalBytes(again, bytes)) this.fail('invariant', 'accepted a frame that is not the canonical encoding of its messages');
      } else if (!equalBytes(canonical(this.decode(again).messages, d.signature), again)) {
        this.fail('invariant', 'a decoded compressed frame does not round-trip');
      }
    } catch (err) {
      this.fail('invariant', `accepted messages that do not re-encode: ${(err as Error).message}`);
    }
  }

  /** Feeds frames to a fresh inbox; it must deliver `expected` or (if `mayLose`) nothing. */
  transfer(frames: readonly Uint8Array[], expected: Uint8Array, mayLose: boolean, maxPayloadBytes: number): void {
    const clock = new VirtualClock();
    const inbox = new Inbox({ clock, maxPayloadBytes, maxReassemblyBytes: 2 * maxPayloadBytes + 64, reassemblyTimeoutMs: 1000 });
    inbox.on('error', (e) => this.rejected(e));
    const delivered: FrameMessage[] = [];
    for (const f of frames) {
      this.report.frames++;
      try {
        delivered.push(...inbox.receive('control', f));
      } catch (err) {
        this.fail('crash', `Inbox.receive threw: ${(err as Error).message}`);
      }
      clock.advance(10);
    }
    try {
      clock.advance(5000);
      inbox.close();
    } catch (err) {
      this.fail('crash', `a reassembly timer threw: ${(err as Error).message}`);
    }
    if (delivered.length === 0) {
      if (!mayLose) this.fail('invariant', 'a clean transfer was not delivered');
      return;
    }
    this.report.accepted++;
    // A duplicated single-fragment transfer is delivered twice, as sent; deduplication by
    // (shard, term, seq) belongs to the layers above.
    if (delivered.some((m) => !equalBytes(canonical([m]), expected))) this.fail('silent-accept', 'a damaged transfer delivered a wrong message');
  }
}

const flipBits = (rng: Rng, b: Uint8Array, from: number, n: number): void => {
  for (let i = 0; i < n && b.length > from; i++) {
    const at = from + randomInt(rng, b.length - from);
    b[at]! ^= 1 << randomInt(rng, 8);
  }
};

/** Corruption kinds: the checksum is left as it was. */
const corruptKinds: Kind[] = [
  {
    name: 'bit-flip',
    weight: 20,
    run: (rng, r) => {
      const f = validFrame(rng);
      const e = r.original(f);
      if (!e) return;
      const b = f.slice();
      flipBits(rng, b, 0, chance(rng, 0.5) ? 1 : 1 + randomInt(rng, 8));
      r.corrupt(b, f, e);
    },
  },
  {
    name: 'truncate',
    weight: 8,
    run: (rng, r) => {
      const f = validFrame(rng);
      const e = r.original(f);
      if (e) r.corrupt(f.slice(0, randomInt(rng, f.length)), f, e);
    },
  },
  {
    name: 'extend',
    weight: 8,
    run: (rng, r) => {
      const f = validFrame(rng);
      const e = r.original(f);
      if (!e) return;
      const extra = randomBytes(rng, 1 + randomInt(rng, 64));
      const b = new Uint8Array(f.length + extra.length);
      b.set(f);
      b.set(extra, f.length);
      r.corrupt(b, f, e);
    },
  },
  {
    name: 'byte-swap',
    weight: 8,
    run: (rng, r) => {
      const f = validFrame(rng);
      const e = r.original(f);
      if (!e) return;
      const b = f.slice();
      const i = randomInt(rng, b.length);
      const j = randomInt(rng, b.length);
      [b[i], b[j]] = [b[j]!, b[i]!];
      r.corrupt(b, f, e);
    },
  },
  {
    name: 'overwrite',
    weight: 8,
    run: (rng, r) => {
      const f = validFrame(rng);
      const e = r.original(f);
      if (!e) return;
      const b = f.slice();
      const at = randomInt(rng, b.length);
      b.set(randomBytes(rng, Math.min(b.length - at, 1 + randomInt(rng, 16))), at);
      r.corrupt(b, f, e);
    },
  },
  {
    name: 'length-lie',
    weight: 6,
    run: (rng, r) => {
      const f = validFrame(rng);
      const e = r.original(f);
      if (!e) return;
      const b = f.slice();
      const real = f.length - HEADER_BYTES;
      setLength(b, pick(rng, [0, real - 1, real + 1, 0xffffffff, randomInt(rng, 0x100000000)]) >>> 0);
      r.corrupt(b, f, e);
    },
  },
  {
    name: 'random',
    weight: 6,
    run: (rng, r) => {
      const b = randomBytes(rng, randomInt(rng, 300));
      if (chance(rng, 0.5) && b.length >= 3) b.set([MAGIC[0], MAGIC[1], chance(rng, 0.9) ? PROTOCOL_VERSION : randomInt(rng, 256)]);
      r.structural(b); // random bytes that decode must still be canonical (and never will: no checksum)
    },
  },
];

/** Structural kinds: the checksum is recomputed so the mutation reaches the body decoders. */
const structuralKinds: Kind[] = [
  {
    name: 'fixed-bit-flip',
    weight: 10,
    run: (rng, r) => {
      const b = validFrame(rng).slice();
      flipBits(rng, b, HeaderOffset.Flags, 1 + randomInt(rng, 3));
      r.structural(fixChecksum(b));
    },
  },
  {
    name: 'fixed-length-lie',
    weight: 4,
    run: (rng, r) => {
      const b = validFrame(rng).slice();
      const real = b.length - HEADER_BYTES;
      setLength(b, pick(rng, [0, real - 1, real + 1, real - 2, 0xffffffff]) >>> 0);
      r.structural(fixChecksum(b));
    },
  },
  {
    name: 'fixed-huge-varint',
    weight: 8,
    run: (rng, r) => {
      const f = validFrame(rng);
      const at = HEADER_BYTES + randomInt(rng, f.length - HEADER_BYTES + 1);
      const run = new Uint8Array(1 + randomInt(rng, 12)).fill(pick(rng, [0xff, 0x80, 0xfe]));
      const b = new Uint8Array(f.length + run.length + 1);
      b.set(f.subarray(0, at));
      b.set(run, at);
      b[at + run.length] = pick(rng, [0x00, 0x01, 0x7f, 0x0f]);
      b.set(f.subarray(at), at + run.length + 1);
      // Usually keep the length honest, so the decoders behind it see the huge varint.
      if (chance(rng, 0.8)) setLength(b, lengthField(f) + run.length + 1);
      r.structural(fixChecksum(b));
    },
  },
  {
    name: 'fixed-random-body',
    weight: 6,
    run: (rng, r) => {
      const body = randomBytes(rng, randomInt(rng, 200));
      const b = new Uint8Array(HEADER_BYTES + body.length);
      b.set([MAGIC[0], MAGIC[1], PROTOCOL_VERSION, chance(rng, 0.3) ? 0 : 1 + randomInt(rng, 20), chance(rng, 0.9) ? 0 : randomInt(rng, 4)]);
      setLength(b, body.length);
      b.set(body, HEADER_BYTES);
      r.structural(fixChecksum(b));
    },
  },
  {
    name: 'fixed-type',
    weight: 4,
    run: (rng, r) => {
      const b = validFrame(rng).slice();
      b[HeaderOffset.Type] = chance(rng, 0.5) ? randomInt(rng, 20) : randomInt(rng, 256);
      r.structural(fixChecksum(b));
    },
  },
  {
    name: 'fixed-flags',
    weight: 4,
    run: (rng, r) => {
      const b = validFrame(rng).slice();
      b[HeaderOffset.Flags] = chance(rng, 0.5) ? randomInt(rng, 4) : randomInt(rng, 256);
      r.structural(fixChecksum(b));
    },
  },
  {
    name: 'fixed-count-lie',
    weight: 4,
    run: (rng, r) => {
      const messages = Array.from({ length: 2 + randomInt(rng, 4) }, () => arbitraryMessage(rng, pick(rng, MESSAGE_TYPES), { maxBytes: 16 }));
      const b = encodeFrame(messages, { compress: 'never' }).slice();
      b[HEADER_BYTES] = pick(rng, [0, 1, messages.length - 1, messages.length + 1, 0x7f, 0x80]);
      r.structural(fixChecksum(b));
    },
  },
];

/** A fragmented transfer, clean or damaged, through an Inbox. */
const transferKind: Kind = {
  name: 'transfer',
  weight: 4,
  run: (rng, r) => {
    const size = 200 + randomInt(rng, 4000);
    const payload = chance(rng, 0.3) ? new Uint8Array(size).fill(7) : randomBytes(rng, size);
    const message = arbitraryMessage(rng, pick(rng, ['snapshot', 'delta', 'action'] as const), { maxBytes: 0 });
    const big = { ...message, payload } as FrameMessage;
    const inner = frameFromEncoded([encodeMessage(big)], { compressMinBytes: 256 });
    const expected = canonical([big]);
    const budget = 128 + randomInt(rng, 900);
    const transfer = randomInt(rng, 0x100000000);
    const fragments = splitFrame(inner, transfer, budget);
    let frames = fragments.map((f) => encodeFrame([f], { compress: 'never' }));
    const variant = pick(rng, ['clean', 'reorder', 'corrupt', 'drop', 'duplicate', 'fixed-chunk', 'inconsistent', 'nested', 'oversize'] as const);
    r.kind = `transfer-${variant}`;
    let maxPayload = 64 * 1024;
    const at = randomInt(rng, frames.length);
    switch (variant) {
      case 'clean':
        break;
      case 'reorder':
        for (let i = frames.length - 1; i > 0; i--) {
          const j = randomInt(rng, i + 1);
          [frames[i], frames[j]] = [frames[j]!, frames[i]!];
        }
        break;
      case 'corrupt': {
        const b = frames[at]!.slice();
        flipBits(rng, b, 0, 1 + randomInt(rng, 4));
        frames[at] = b;
        break;
      }
      case 'drop':
        frames.splice(at, 1);
        break;
      case 'duplicate':
        frames.splice(randomInt(rng, frames.length + 1), 0, frames[at]!);
        break;
      case 'fixed-chunk': {
        const f = fragments[at]!;
        const chunk = f.chunk.slice();
        chunk[randomInt(rng, chunk.length)]! ^= 1 + randomInt(rng, 255);
        frames[at] = encodeFrame([{ ...f, chunk }], { compress: 'never' });
        break;
      }
      case 'inconsistent': {
        const f = fragments[at]!;
        const lie = chance(rng, 0.5) ? { ...f, total: f.total + 1 + randomInt(rng, 100) } : { ...f, count: f.count + 1 };
        frames[at] = encodeFrame([lie], { compress: 'never' });
        break;
      }
      case 'nested': {
        // A fragment whose reassembled frame carries a fragment again.
        frames = splitFrame(frames[at]!, (transfer + 1) >>> 0, Math.max(128, budget >> 1)).map((f) => encodeFrame([f], { compress: 'never' }));
        break;
      }
      case 'oversize':
        // Just over the limit, or far over: the reassembled frame adds up to 21 bytes of framing.
        maxPayload = Math.max(1, inner.length - 22 - randomInt(rng, inner.length >> 1));
        break;
    }
    const mayLose = variant !== 'clean' && variant !== 'reorder';
    r.transfer(frames, expected, mayLose, maxPayload);
  },
};

/** Header-only kinds: magic and version in front of anything. */
const versionKind: Kind = {
  name: 'foreign-version',
  weight: 2,
  run: (rng, r) => {
    const b = validFrame(rng).slice();
    b[HeaderOffset.Version] = pick(rng, [0, 2, 3, 255]);
    r.structural(chance(rng, 0.5) ? fixChecksum(b) : b);
  },
};

const KINDS: Kind[] = [...corruptKinds, ...structuralKinds, transferKind, versionKind];
const TOTAL_WEIGHT = KINDS.reduce((s, k) => s + k.weight, 0);

function lengthField(f: Uint8Array): number {
  return ((f[HeaderOffset.Length]! << 24) | (f[HeaderOffset.Length + 1]! << 16) | (f[HeaderOffset.Length + 2]! << 8) | f[HeaderOffset.Length + 3]!) >>> 0;
}

/** The RNG of case `index` of run `seed`. */
function caseRng(seed: number, index: number): SeededRng {
  return new SeededRng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

/** Runs the fuzzer; see the module comment for what is checked. */
export function runFuzz(options: FuzzOptions): FuzzReport {
  const report: FuzzReport = {
    seed: options.seed >>> 0,
    frames: 0,
    cases: 0,
    crashes: 0,
    hangs: 0,
    silentAccepts: 0,
    invariantViolations: 0,
    accepted: 0,
    rejections: {},
    kinds: {},
    slowestCaseMs: 0,
    failures: [],
  };
  const run = new FuzzRun(report, options.decode ?? ((b) => decodeFrame(b)), options.keepFailures ?? 20);
  const hangMs = options.hangMs ?? 1000;
  const first = options.onlyCase ?? 0;
  const every = options.progressEvery ?? 100_000;
  let nextProgress = every;
  for (let index = first; options.onlyCase !== undefined ? index === first : report.frames < options.frames; index++) {
    const rng = caseRng(report.seed, index);
    let w = randomInt(rng, TOTAL_WEIGHT);
    let kind = KINDS[0]!;
    for (const k of KINDS) {
      if (w < k.weight) {
        kind = k;
        break;
      }
      w -= k.weight;
    }
    run.caseIndex = index;
    run.kind = kind.name;
    const started = options.now?.();
    try {
      kind.run(rng, run);
    } catch (err) {
      run.fail('crash', `the case itself threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
    if (started !== undefined) {
      const ms = options.now!() - started;
      if (ms > report.slowestCaseMs) report.slowestCaseMs = ms;
      if (ms > hangMs) run.fail('hang', `the case took ${ms.toFixed(0)} ms`);
    }
    report.kinds[run.kind] = (report.kinds[run.kind] ?? 0) + 1;
    report.cases++;
    if (options.onProgress && report.frames >= nextProgress) {
      nextProgress += every;
      options.onProgress(report);
    }
  }
  return report;
}
