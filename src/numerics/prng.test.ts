import { describe, expect, it } from 'vitest';
import { pcgHash, random32, uniform01 } from './prng';

// The same hash in BigInt arithmetic, masking to 32 bits by hand: checks Math.imul and >>> use.
const MASK = 0xffff_ffffn;
function pcgHashBig(v: bigint): bigint {
  const state = (v * 747796405n + 2891336453n) & MASK;
  const word = (((state >> ((state >> 28n) + 4n)) ^ state) * 277803737n) & MASK;
  return ((word >> 22n) ^ word) & MASK;
}
function random32Big(key: bigint, counter: bigint): bigint {
  return pcgHashBig(pcgHashBig(counter) ^ key);
}

describe('random32', () => {
  it('known answers (computed with Python integers; the WGSL twin must give the same)', () => {
    expect(pcgHash(0)).toBe(0x07bb2fe2);
    expect(pcgHash(1)).toBe(0xa8beea3c);
    const table: [number, number, number][] = [
      [0, 0, 0x30be035e],
      [0, 1, 0xe92a518a],
      [1, 0, 0x5e6301b0],
      [42, 7, 0x8e3c4129],
      [0xffffffff, 0xffffffff, 0xb8731594],
      [123456789, 987654321, 0x883b5793],
    ];
    for (const [key, counter, expected] of table) expect(random32(key, counter)).toBe(expected);
  });

  it('equals the BigInt implementation on 20k (key, counter) pairs', () => {
    for (let i = 0; i < 20_000; i++) {
      const key = (i * 2654435761) >>> 0;
      const counter = (i * 40503 + (i >>> 3)) >>> 0;
      const expected = Number(random32Big(BigInt(key), BigInt(counter)));
      if (random32(key, counter) !== expected) expect.fail(`key ${key} counter ${counter}`);
    }
  });

  it('takes its arguments modulo 2^32', () => {
    expect(random32(-1, 0)).toBe(random32(0xffffffff, 0));
    expect(random32(3, 2 ** 32 + 5)).toBe(random32(3, 5));
  });

  it('never repeats within a key, rarely across keys', () => {
    const seen = new Set<number>();
    for (let c = 0; c < 100_000; c++) seen.add(random32(9, c));
    expect(seen.size).toBe(100_000);
    const across = new Set<number>();
    for (let key = 0; key < 100; key++) for (let c = 0; c < 1000; c++) across.add(random32(key, c));
    // 10^5 draws in 2^32: about 1.2 collisions expected.
    expect(100_000 - across.size).toBeLessThan(8);
  });

  it('neighbouring keys are uncorrelated', () => {
    const n = 50_000;
    let agreeingBits = 0;
    let sxy = 0;
    let sx = 0;
    let sy = 0;
    for (let c = 0; c < n; c++) {
      const a = random32(1000, c);
      const b = random32(1001, c);
      let same = ~(a ^ b) >>> 0;
      for (; same; same &= same - 1) agreeingBits++;
      const x = uniform01(1000, c) - 0.5;
      const y = uniform01(1001, c) - 0.5;
      sxy += x * y;
      sx += x * x;
      sy += y * y;
    }
    // Binomial(32n, 1/2): sd sqrt(32n)/2 = 632; allow 5 sd.
    expect(Math.abs(agreeingBits - 16 * n)).toBeLessThan(3200);
    expect(Math.abs(sxy / Math.sqrt(sx * sy))).toBeLessThan(5 / Math.sqrt(n));
  });
});

describe('uniform01', () => {
  it('is in [0, 1), has mean 1/2 and passes a chi-square test over 16 buckets', () => {
    const n = 160_000;
    const buckets = new Array<number>(16).fill(0);
    let sum = 0;
    for (let c = 0; c < n; c++) {
      const u = uniform01(2024, c);
      if (!(u >= 0 && u < 1)) expect.fail(`uniform01 gave ${u}`);
      sum += u;
      buckets[Math.floor(u * 16)]++;
    }
    // sd of the mean: sqrt(1/12/n) = 0.00072; allow 5 sd.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0036);
    const expected = n / 16;
    const chiSquare = buckets.reduce((s, count) => s + (count - expected) ** 2 / expected, 0);
    // 15 degrees of freedom: P(chi2 > 37.7) = 0.001.
    expect(chiSquare).toBeLessThan(37.7);
  });

  it('is the top 24 bits of random32', () => {
    for (let c = 0; c < 1000; c++) expect(uniform01(5, c) * 2 ** 24).toBe(Math.floor(random32(5, c) / 256));
    expect(Math.fround(uniform01(5, 77))).toBe(uniform01(5, 77));
  });
});
