/**
 * The czar's recent deltas of its current term, kept to answer repair requests ([R14]) without a
 * full snapshot. A ring of the last `capacity` deltas: older gaps are healed by a snapshot.
 */
export class DeltaHistory {
  /**
   * Allocated on the first push: only a shard's writer pushes, and a peer of a large world holds
   * dozens of replicas for each shard it writes (128 empty slots are 1 KB each).
   */
  private ring: Array<Uint8Array | undefined> | undefined;
  private first = 1;
  private last = 0;

  constructor(readonly capacity = 128) {}

  /** Forgets everything; the next delta pushed is `seq`. */
  reset(): void {
    this.ring?.fill(undefined);
    this.first = 1;
    this.last = 0;
  }

  /** Records delta `seq`, which must follow the last one pushed. */
  push(seq: number, payload: Uint8Array): void {
    if (this.last !== 0 && seq !== this.last + 1) this.reset();
    if (this.last === 0) this.first = seq;
    this.last = seq;
    (this.ring ??= new Array<Uint8Array | undefined>(this.capacity))[seq % this.capacity] = payload;
    if (this.last - this.first + 1 > this.capacity) this.first = this.last - this.capacity + 1;
  }

  /** True when every delta from `from` to `to` (inclusive) is still held. */
  covers(from: number, to: number): boolean {
    return this.last !== 0 && from >= this.first && to <= this.last && from <= to;
  }

  /** Delta `seq`, if held. */
  get(seq: number): Uint8Array | undefined {
    if (this.last === 0 || seq < this.first || seq > this.last) return undefined;
    return this.ring?.[seq % this.capacity];
  }
}
