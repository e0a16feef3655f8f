/**
 * Bit access to doubles and f32 values, and exact powers of two. Reading bits goes through a
 * DataView with explicit little-endian offsets, so it does not depend on the host's byte order.
 */

const scratch = new DataView(new ArrayBuffer(8));

/** The IEEE 754 binary64 fields of x. exponent is the unbiased exponent of the significand's
 * leading bit; for subnormals (and zero) it is -1022 and the significand has no implicit bit, so
 * |x| = significand * 2^(exponent - 52) always. significand is an integer below 2^53. */
export interface DoubleParts {
  sign: number; // 0 or 1
  /** Raw 11-bit exponent field: 0 zero/subnormal, 0x7FF inf/NaN. */
  exponentField: number;
  exponent: number;
  significand: number;
}

export const DOUBLE_FRACTION_BITS = 52;
export const F32_FRACTION_BITS = 23;

export function doubleParts(x: number): DoubleParts {
  scratch.setFloat64(0, x, true);
  const lo = scratch.getUint32(0, true);
  const hi = scratch.getUint32(4, true);
  const sign = hi >>> 31;
  const exponentField = (hi >>> 20) & 0x7ff;
  const fractionHi = hi & 0xfffff;
  // fractionHi * 2^32 + lo < 2^52: an exact integer in a double.
  const fraction = fractionHi * 0x1_0000_0000 + lo;
  if (exponentField === 0) return { sign, exponentField, exponent: -1022, significand: fraction };
  return { sign, exponentField, exponent: exponentField - 1023, significand: fraction + 2 ** 52 };
}

/** The double whose bits are hi:lo (two u32 words). */
export function doubleFromWords(hi: number, lo: number): number {
  scratch.setUint32(0, lo >>> 0, true);
  scratch.setUint32(4, hi >>> 0, true);
  return scratch.getFloat64(0, true);
}

/** The f32 whose bits are the u32 `bits` (as a double, exactly). */
export function f32FromBits(bits: number): number {
  scratch.setUint32(0, bits >>> 0, true);
  return scratch.getFloat32(0, true);
}

/** Bits of Math.fround(x) as the platform stores them (round to nearest even, IEEE 754). */
export function f32Bits(x: number): number {
  scratch.setFloat32(0, x, true);
  return scratch.getUint32(0, true);
}

// 2^k for k in [-1074, 1023], built by exact doubling and halving so no pow() accuracy is assumed.
const POW2_MIN = -1074;
const POW2_MAX = 1023;
const pow2Table = new Float64Array(POW2_MAX - POW2_MIN + 1);
{
  let p = 1;
  for (let k = 0; k <= POW2_MAX; k++, p *= 2) pow2Table[k - POW2_MIN] = p;
  p = 1;
  for (let k = 0; k >= POW2_MIN; k--, p /= 2) pow2Table[k - POW2_MIN] = p;
}

/** Exactly 2^k for integer k (0 below 2^-1074, Infinity above 2^1023). */
export function pow2(k: number): number {
  if (k < POW2_MIN) return 0;
  if (k > POW2_MAX) return Infinity;
  return pow2Table[k - POW2_MIN];
}

/** The next double above a finite x >= 0. */
export function nextUp(x: number): number {
  scratch.setFloat64(0, x, true);
  const lo = scratch.getUint32(0, true);
  const hi = scratch.getUint32(4, true);
  return lo === 0xffffffff ? doubleFromWords(hi + 1, 0) : doubleFromWords(hi, lo + 1);
}
