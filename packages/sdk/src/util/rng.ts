/**
 * Randomness is injected: protocol code draws from an {@link Rng} it was given, so a seed replays
 * a run exactly. {@link SeededRng} is sfc32 seeded through splitmix32: fast, small, and good
 * enough for simulation (not for cryptography).
 *
 * @module
 */

/**
 * The random source the SDK takes as an option (`rng`) wherever it makes a random choice: pass
 * {@link systemRng} in production and a {@link SeededRng} in tests so a seed replays the run.
 *
 * @example
 * ```ts
 * const rng: Rng = new SeededRng(42);
 * const jitterMs = rng.next() * 50; // same value on every run with seed 42
 * ```
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
}

/**
 * A deterministic {@link Rng}: the same seed yields the same stream on every platform. Print the
 * seed when a test fails, so the failure replays.
 *
 * @example
 * ```ts
 * const rng = new SeededRng(7);
 * const roll = rng.nextUint32() % 6; // reproducible
 * const perPeer = rng.fork(); // an independent stream, still fixed by seed 7
 * ```
 */
export class SeededRng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The seed as given, reduced to an unsigned 32-bit integer. */
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    let s = this.seed;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A new generator whose stream is independent of this one (for per-peer or per-link RNGs). */
  fork(): SeededRng {
    return new SeededRng(this.nextUint32());
  }
}

/** An integer in [0, max). */
export function randomInt(rng: Rng, max: number): number {
  return Math.floor(rng.next() * max);
}

/** An integer in [min, max]. */
export function randomBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

/** True with probability `p`. */
export function chance(rng: Rng, p: number): boolean {
  return p > 0 && rng.next() < p;
}

/** Unseeded source for production: `Math.random`, kept out of protocol code by injection. */
export const systemRng: Rng = { next: () => Math.random() };
