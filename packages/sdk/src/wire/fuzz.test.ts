import { describe, expect, it } from 'vitest';
import { decodeFrame, frameChecksum, HEADER_BYTES, HeaderOffset } from './frame.js';
import { describeFuzz, fuzzProblems, runFuzz } from './fuzz.js';

/** Fixed, so every run checks the same frames; set FUZZ_SEED to explore others. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed_0001);

describe('fuzz', () => {
  it('[W25] survives 100,000 random and mutated frames: no crash, no hang, no corrupted frame accepted', () => {
    const report = runFuzz({ seed: SEED, frames: 100_000 });
    expect(fuzzProblems(report), describeFuzz(report)).toBe(0);
    expect(report.frames).toBeGreaterThanOrEqual(100_000);
    // The run must reach every mutation and every outcome, or it proves little.
    for (const kind of ['bit-flip', 'truncate', 'extend', 'byte-swap', 'overwrite', 'length-lie', 'random', 'fixed-huge-varint', 'fixed-count-lie', 'transfer-nested', 'transfer-clean', 'foreign-version']) {
      expect(report.kinds[kind] ?? 0, kind).toBeGreaterThan(100);
    }
    for (const reason of ['checksum', 'length-mismatch', 'bad-batch', 'varint-too-long', 'non-canonical-varint', 'nested-fragment', 'fragment-inconsistent', 'inflate-failed']) {
      expect(report.rejections[`malformed-frame/${reason}`] ?? 0, reason).toBeGreaterThan(0);
    }
    expect(report.rejections['incompatible-version']).toBeGreaterThan(0);
    expect(report.rejections['payload-too-large']).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(10_000);
  });

  it('[W25] the oracle catches a decoder that does not check the checksum', () => {
    const careless = (b: Uint8Array) => {
      const copy = b.slice();
      if (copy.length >= HEADER_BYTES) new DataView(copy.buffer).setUint32(HeaderOffset.Checksum, frameChecksum(copy));
      return decodeFrame(copy);
    };
    const report = runFuzz({ seed: 1, frames: 3000, decode: careless });
    expect(report.silentAccepts).toBeGreaterThan(0);
    expect(report.failures[0]!.replay).toMatch(/^pnpm fuzz --seed 1 --case \d+$/);
  });

  it('[W25] counts a decoder that throws anything but a WireError as a crash, with its replay command', () => {
    const fragile = (b: Uint8Array) => {
      if (b.length % 17 === 3) throw new TypeError('boom');
      return decodeFrame(b);
    };
    const report = runFuzz({ seed: 2, frames: 2000, decode: fragile });
    expect(report.crashes).toBeGreaterThan(0);
    const first = report.failures.find((f) => f.problem === 'crash')!;
    expect(describeFuzz(report)).toContain(`replay: pnpm fuzz --seed 2 --case ${first.case}`);
    // Replaying that one case reproduces the crash.
    const replay = runFuzz({ seed: 2, frames: 0, onlyCase: first.case, decode: fragile });
    expect(replay.cases).toBe(1);
    expect(replay.crashes).toBeGreaterThan(0);
  });

  it('[W25] is deterministic: the same seed feeds the same frames', () => {
    const a = runFuzz({ seed: 77, frames: 3000 });
    const b = runFuzz({ seed: 77, frames: 3000 });
    const c = runFuzz({ seed: 78, frames: 3000 });
    expect(b).toEqual(a);
    expect(c.rejections).not.toEqual(a.rejections);
  });
});
