/**
 * Fragmentation ([W16]–[W18]): a frame too large for its channel is cut into `fragment` messages,
 * each sent in a frame of its own; the receiver puts the pieces back together into the original
 * frame, which carries its own checksum, so a wrong reassembly is caught end to end. Memory per
 * peer is bounded, and transfers that stall are dropped after a timeout.
 */
import { ArgumentError } from '../errors.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { malformed, payloadTooLarge } from './codec.js';
import { HEADER_BYTES } from './frame.js';
import type { FragmentMessage } from './messages.js';

/** Bytes a single-fragment frame adds around its chunk: the header and five varints at their widest. */
export const FRAGMENT_OVERHEAD_BYTES = HEADER_BYTES + 5 * 4 + 3;

/**
 * Smallest average chunk a sender may use ([W18]). A fragment count above `total / 64` is refused,
 * which bounds the bookkeeping a hostile peer can cause per byte it declares.
 */
export const MIN_AVERAGE_CHUNK_BYTES = 64;

/** Splits `frame` into fragments whose single-message frames fit in `maxFrameBytes`. */
export function splitFrame(frame: Uint8Array, transfer: number, maxFrameBytes: number): FragmentMessage[] {
  const chunkBytes = maxFrameBytes - FRAGMENT_OVERHEAD_BYTES;
  if (chunkBytes < MIN_AVERAGE_CHUNK_BYTES) throw new ArgumentError(`A frame budget of ${maxFrameBytes} bytes is too small to carry fragments.`);
  const count = Math.ceil(frame.length / chunkBytes);
  const out: FragmentMessage[] = [];
  for (let index = 0; index < count; index++) {
    const chunk = frame.subarray(index * chunkBytes, Math.min(frame.length, (index + 1) * chunkBytes));
    out.push({ type: 'fragment', transfer, index, count, total: frame.length, chunk });
  }
  return out;
}

export interface ReassemblerOptions {
  readonly clock: Clock;
  /** Largest payload; a transfer over this plus `frameOverheadBytes` fails with `payload-too-large`. */
  readonly maxPayloadBytes: number;
  /** Framing around the payload in a reassembled frame (header, length prefixes); default 0. */
  readonly frameOverheadBytes?: number;
  /** Memory for unfinished transfers (declared sizes); at least the largest transfer allowed. */
  readonly maxBytes: number;
  /** Unfinished transfers at once. */
  readonly maxTransfers: number;
  /** A transfer with no new fragment for this long is dropped. */
  readonly idleTimeoutMs: number;
  /** Told about every transfer dropped for a timeout or to make room. */
  readonly onDrop?: (drop: TransferDropped) => void;
}

/** A transfer given up without an error from the peer: lost fragments, or room needed. */
export interface TransferDropped {
  /** Which stream (channel) it came on. */
  readonly stream: string;
  readonly transfer: number;
  readonly reason: 'timeout' | 'evicted';
  readonly receivedBytes: number;
  readonly total: number;
}

interface Transfer {
  readonly key: string;
  readonly stream: string;
  readonly transfer: number;
  readonly count: number;
  readonly total: number;
  readonly chunks: Array<Uint8Array | undefined>;
  received: number;
  receivedBytes: number;
  timer: TimerHandle | undefined;
}

/** How many given-up transfer ids are remembered, so their late fragments are ignored quietly. */
const DEAD_TRANSFERS_REMEMBERED = 64;

/** Reassembles the fragments of one peer. */
export class Reassembler {
  private readonly transfers = new Map<string, Transfer>();
  private readonly dead = new Set<string>();
  private reserved = 0;
  /** Fragments ignored because their transfer was already given up. */
  ignored = 0;

  private readonly maxTotal: number;

  constructor(private readonly options: ReassemblerOptions) {
    this.maxTotal = options.maxPayloadBytes + (options.frameOverheadBytes ?? 0);
    if (options.maxBytes < this.maxTotal) throw new ArgumentError(`maxReassemblyBytes must be at least ${this.maxTotal} (maxPayloadBytes plus framing).`);
    if (options.maxTransfers < 1) throw new ArgumentError('maxTransfers must be at least 1.');
  }

  /** Bytes reserved by unfinished transfers. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Unfinished transfers. */
  get pending(): number {
    return this.transfers.size;
  }

  /**
   * Takes one fragment arriving on `stream`. Returns the reassembled frame when this was the last
   * piece. Throws a `WireError` (`payload-too-large`, or `malformed-frame` with reason
   * `fragment-inconsistent`); the transfer is then given up.
   */
  accept(stream: string, f: FragmentMessage): Uint8Array | undefined {
    const key = `${stream}:${f.transfer}`;
    if (this.dead.has(key)) {
      this.ignored++;
      return undefined;
    }
    let t = this.transfers.get(key);
    if (!t) {
      if (f.total > this.maxTotal) {
        this.markDead(key);
        const overhead = this.options.frameOverheadBytes ?? 0;
        throw payloadTooLarge(f.total - overhead, this.options.maxPayloadBytes, 'A fragmented payload', { transfer: f.transfer });
      }
      if (f.count > Math.ceil(f.total / MIN_AVERAGE_CHUNK_BYTES)) {
        this.markDead(key);
        throw malformed('fragment-inconsistent', `${f.count} fragments for ${f.total} bytes is below the minimum chunk size`);
      }
      while (this.transfers.size >= this.options.maxTransfers || this.reserved + f.total > this.options.maxBytes) {
        const oldest = this.transfers.values().next().value as Transfer;
        this.giveUp(oldest, 'evicted');
      }
      t = { key, stream, transfer: f.transfer, count: f.count, total: f.total, chunks: new Array(f.count), received: 0, receivedBytes: 0, timer: undefined };
      this.transfers.set(key, t);
      this.reserved += t.total;
    } else if (t.count !== f.count || t.total !== f.total) {
      this.fail(t);
      throw malformed('fragment-inconsistent', `fragment ${f.index} of transfer ${f.transfer} changes its count or total`);
    }
    if (t.chunks[f.index]) {
      this.fail(t);
      throw malformed('fragment-inconsistent', `fragment ${f.index} of transfer ${f.transfer} arrived twice`);
    }
    if (t.receivedBytes + f.chunk.length > t.total) {
      this.fail(t);
      throw malformed('fragment-inconsistent', `transfer ${f.transfer} sends more than its ${t.total} bytes`);
    }
    // A copy, so a small chunk never pins the (possibly much larger) frame it arrived in.
    t.chunks[f.index] = f.chunk.slice();
    t.received++;
    t.receivedBytes += f.chunk.length;
    if (t.received < t.count) {
      this.arm(t);
      return undefined;
    }
    this.remove(t);
    if (t.receivedBytes !== t.total) {
      this.markDead(key);
      throw malformed('fragment-inconsistent', `transfer ${f.transfer} ended with ${t.receivedBytes} of ${t.total} bytes`);
    }
    const out = new Uint8Array(t.total);
    let at = 0;
    for (const c of t.chunks) {
      out.set(c!, at);
      at += c!.length;
    }
    return out;
  }

  /** Drops every unfinished transfer and cancels its timer (the peer left). */
  clear(): void {
    for (const t of [...this.transfers.values()]) this.remove(t);
  }

  private arm(t: Transfer): void {
    if (t.timer) this.options.clock.clearTimeout(t.timer);
    t.timer = this.options.clock.setTimeout(() => this.giveUp(t, 'timeout'), this.options.idleTimeoutMs);
  }

  private remove(t: Transfer): void {
    if (t.timer) this.options.clock.clearTimeout(t.timer);
    t.timer = undefined;
    if (this.transfers.delete(t.key)) this.reserved -= t.total;
  }

  private fail(t: Transfer): void {
    this.remove(t);
    this.markDead(t.key);
  }

  private giveUp(t: Transfer, reason: TransferDropped['reason']): void {
    this.fail(t);
    this.options.onDrop?.({ stream: t.stream, transfer: t.transfer, reason, receivedBytes: t.receivedBytes, total: t.total });
  }

  private markDead(key: string): void {
    this.dead.add(key);
    if (this.dead.size > DEAD_TRANSFERS_REMEMBERED) this.dead.delete(this.dead.values().next().value as string);
  }
}
