/**
 * A bounded set of message keys for gossip dedupe ([R16]): a relayed message is forwarded and
 * applied on its first arrival only. The oldest keys are forgotten first; a key forgotten and seen
 * again is harmless (the replica's own seq bookkeeping drops the duplicate, at the cost of one
 * extra forward).
 */
export class SeenSet {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 8192) {}

  /** Records `key`; returns true if it was new. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      // Sets iterate in insertion order: the first key is the oldest.
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return true;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
