/**
 * The f32 inputs of the conversion self-tests, as bit patterns: every edge case of every format
 * (from numerics `range`, so thresholds are not typed in by hand) and a seeded random sample that
 * covers all exponents, the narrow formats' ranges densely, and rounding ties.
 */
import { FORMATS, f32Bits, f32FromBits, random32, range, type FormatName } from '../../numerics';

/** Narrow formats the GPU can store (packed); the self-tests cover each. */
export const NARROW_FORMATS: readonly FormatName[] = ['fp16', 'bf16', 'fp8-e4m3', 'fp8-e5m2'];

// prettier-ignore
const F32_SPECIALS = [
  0x00000000, 0x80000000, // ±0
  0x7f800000, 0xff800000, // ±inf
  0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff, 0x7fa00000, // quiet, signalling, payload NaNs
  0x00000001, 0x80000001, 0x00000002, 0x00400000, 0x007fffff, 0x807fffff, // f32 subnormals
  0x00800000, 0x00800001, 0x7f7fffff, 0xff7fffff, // f32 min normal, max
  0x3f800000, 0xbf800000, // ±1
];

/** The f32 neighbours of a double's f32 rounding: below, at, above (both signs). */
function around(x: number): number[] {
  const b = f32Bits(Math.fround(Math.abs(x)));
  const out: number[] = [];
  for (const d of [-2, -1, 0, 1, 2]) {
    const v = b + d;
    if (v < 0 || v > 0x7f800000) continue;
    out.push(v, (v | 0x80000000) >>> 0);
  }
  return out;
}

/** Edge cases of one format: thresholds of numerics `range`, ties around 1 and at the subnormal
 * grid, and their f32 neighbours. */
export function formatEdgeCases(name: FormatName): number[] {
  const r = range(name);
  const m = FORMATS[name].mantissaBits;
  const points = [
    r.maxFinite,
    r.overflowMidpoint,
    r.overflowThreshold,
    r.minNormal,
    r.minNormal - r.minSubnormal, // largest subnormal
    r.minNormal - r.minSubnormal / 2, // tie between largest subnormal and min normal
    r.minSubnormal,
    r.minSubnormal * 1.5, // tie: rounds up to 2 (even)
    r.minSubnormal * 2.5, // tie: rounds down to 2 (even)
    r.underflowThreshold, // tie with zero: rounds to 0
    r.underflowThreshold * 1.5,
    1 + r.epsilon,
    1 + r.epsilon / 2, // tie: down to 1
    1 + (3 * r.epsilon) / 2, // tie: up to 1 + 2 eps
    2 - r.epsilon / 2, // tie at the top of a binade: carries into the exponent
    2 ** -(m + 1), // tie below 1 in a lower binade
  ];
  return points.flatMap(around);
}

/** All edge cases: f32 specials and every narrow format's. */
export function edgeCaseBits(): number[] {
  const set = new Set<number>(F32_SPECIALS);
  for (const name of NARROW_FORMATS) for (const b of formatEdgeCases(name)) set.add(b >>> 0);
  return [...set];
}

/**
 * `count` seeded random f32 patterns: a quarter uniformly random words (every exponent, f32
 * subnormals and NaNs included), a half with exponents within [2^-40, 2^40] where fp16/fp8 live,
 * a quarter made rounding ties (or one ulp off) of a random narrow format.
 */
export function randomBits(count: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  const tieShifts = NARROW_FORMATS.map((f) => 23 - FORMATS[f].mantissaBits);
  for (let i = 0; i < count; i++) {
    const r0 = random32(seed, 3 * i);
    const r1 = random32(seed, 3 * i + 1);
    const kind = r1 & 3;
    if (kind === 0) {
      out[i] = r0;
      continue;
    }
    const sign = (r1 >>> 31) << 31;
    const exponent = 127 - 40 + ((r1 >>> 8) % 81);
    let mantissa = r0 & 0x7fffff;
    if (kind === 3) {
      const s = tieShifts[(r1 >>> 2) & 3];
      // Low s bits = 100..0 (exactly half a quantum), then nudge by -1, 0 or +1 ulp of f32.
      mantissa = ((mantissa >>> s) << s) | (1 << (s - 1));
      mantissa += (random32(seed, 3 * i + 2) % 3) - 1;
      mantissa &= 0x7fffff;
    }
    out[i] = (sign | (exponent << 23) | mantissa) >>> 0;
  }
  return out;
}

/** Edge cases followed by `count` random patterns. */
export function testValueBits(count: number, seed = 0x5eed): Uint32Array {
  const edges = edgeCaseBits();
  const out = new Uint32Array(edges.length + count);
  out.set(edges);
  out.set(randomBits(count, seed), edges.length);
  return out;
}

export function isNaNBits(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
}

/** The f32 value of a pattern as a double (NaN for NaN patterns; their sign is in the bits). */
export const valueOf = f32FromBits;
