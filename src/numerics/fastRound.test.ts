// The fast f32 -> bf16 / fp16 rounding against the generic encode/decode (the reference): at every
// rounding boundary of the 16-bit formats (each midpoint between neighbours and its f32
// neighbours on both sides, and every 16-bit value itself), on a million random f32 patterns,
// and on doubles that are not f32 values.
import { describe, expect, it } from 'vitest';
import { decode, encode, roundTo } from './encode';
import { rounderTo, roundToBf16, roundToFp16 } from './fastRound';
import { random32 } from './prng';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (bits: number): number => {
  u32[0] = bits >>> 0;
  return f32[0];
};
const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0];
};

/** Number of inputs where fast and generic disagree (Object.is, so -0 and NaN count). */
function mismatches(
  fast: (x: number) => number,
  format: 'bf16' | 'fp16',
  inputs: Iterable<number>,
): { count: number; first: number | null } {
  let count = 0;
  let first: number | null = null;
  for (const x of inputs) {
    const want = decode(format, encode(format, x));
    if (!Object.is(fast(x), want)) {
      count++;
      if (first === null) first = x;
    }
  }
  return { count, first };
}

/** Every 16-bit value, the midpoint to its upper neighbour, and the f32 values next to both. */
function* boundaries(format: 'bf16' | 'fp16'): Generator<number> {
  for (let h = 0; h < 0x10000; h++) {
    const lo = decode(format, h);
    if (!Number.isFinite(lo)) continue;
    const next = decode(format, h + 1); // h + 1 <= 0xffff: 0x7fff and 0xffff are NaN patterns
    const points = [lo];
    // Midpoints are f32 values for both formats (11 or 8 significant bits + 1).
    if (Number.isFinite(next)) points.push(Math.fround((lo + next) / 2));
    // Next to the largest finite value: the overflow midpoint (fp16 65520, bf16 2^128 - 2^119).
    else if (!Number.isNaN(next)) points.push(lo + (format === 'fp16' ? 16 : 2 ** 119) * Math.sign(next));
    for (const p of points) {
      const b = bitsOf(p);
      yield p;
      yield fromBits(b + 1);
      if ((b & 0x7fffffff) !== 0) yield fromBits(b - 1);
    }
  }
}

describe('fast f32 -> 16-bit rounding', () => {
  it('bf16 agrees with the generic encode at every rounding boundary', () => {
    expect(mismatches(roundToBf16, 'bf16', boundaries('bf16'))).toEqual({ count: 0, first: null });
  });

  it('fp16 agrees with the generic encode at every rounding boundary (subnormals and 65520 included)', () => {
    expect(mismatches(roundToFp16, 'fp16', boundaries('fp16'))).toEqual({ count: 0, first: null });
    expect(roundToFp16(65520)).toBe(Infinity);
    expect(roundToFp16(Math.fround(65520 - 2 ** -8))).toBe(65504);
    expect(Object.is(roundToFp16(-(2 ** -26)), -0)).toBe(true);
  });

  it('both agree on a million random f32 patterns (all exponents, NaN and inf included)', () => {
    const inputs = function* (key: number): Generator<number> {
      for (let i = 0; i < 1_000_000; i++) yield fromBits(random32(key, i));
    };
    expect(mismatches(roundToBf16, 'bf16', inputs(11))).toEqual({ count: 0, first: null });
    expect(mismatches(roundToFp16, 'fp16', inputs(12))).toEqual({ count: 0, first: null });
  });

  it('doubles that are not f32 values are rounded once, as the generic path does', () => {
    // 1 + 2^-8 + 2^-40 rounds up in bf16 but would tie (to even, down) after an f32 rounding.
    const x = 1 + 2 ** -8 + 2 ** -40;
    expect(roundToBf16(x)).toBe(roundTo('bf16', x));
    expect(roundToBf16(x)).toBe(1 + 2 ** -7);
    const y = 1 + 2 ** -11 + 2 ** -40;
    expect(roundToFp16(y)).toBe(roundTo('fp16', y));
    expect(roundToFp16(y)).toBe(1 + 2 ** -10);
    const doubles = function* (): Generator<number> {
      for (let i = 0; i < 20_000; i++) {
        const u = (random32(3, i) + random32(4, i) / 2 ** 32) / 2 ** 32; // ~53 random bits
        yield (u - 0.5) * 2 ** ((random32(5, i) % 80) - 40);
      }
    };
    expect(mismatches(roundToBf16, 'bf16', doubles())).toEqual({ count: 0, first: null });
    expect(mismatches(roundToFp16, 'fp16', doubles())).toEqual({ count: 0, first: null });
  });

  it('rounderTo picks the fast path by format and falls back to roundTo for the others', () => {
    expect(rounderTo('bf16')).toBe(roundToBf16);
    expect(rounderTo('fp16')).toBe(roundToFp16);
    expect(rounderTo('fp32')(1 + 2 ** -30)).toBe(1);
    expect(rounderTo('fp8-e4m3')(500)).toBeNaN();
    expect(rounderTo('fp8-e5m2')(3.1)).toBe(roundTo('fp8-e5m2', 3.1));
  });
});
