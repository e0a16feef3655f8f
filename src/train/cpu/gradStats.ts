/**
 * Statistics of a gradient buffer as stored: exact zeros, and the log2 histogram of magnitudes.
 * The binade of an f32 value is read from its exponent bits (exact, unlike Math.log2 near powers
 * of two): field e > 0 gives floor(log2|g|) = e - 127; a subnormal with mantissa m gives
 * floor(log2 m) - 149.
 */
import { GRAD_HISTOGRAM_BINS, GRAD_HISTOGRAM_RANGE, type GradHistogram } from '../metrics';

/** Elements of g equal to 0 (either sign). */
export function countZeros(g: Float32Array): number {
  let zeros = 0;
  for (let i = 0; i < g.length; i++) if (g[i] === 0) zeros++;
  return zeros;
}

export function gradHistogram(g: Float32Array): GradHistogram {
  const bits = new Uint32Array(g.buffer, g.byteOffset, g.length);
  const { minExponent, maxExponent } = GRAD_HISTOGRAM_RANGE;
  const counts = new Array<number>(GRAD_HISTOGRAM_BINS).fill(0);
  let below = 0;
  let above = 0;
  let zeros = 0;
  let nonfinite = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] & 0x7fffffff;
    if (b === 0) {
      zeros++;
      continue;
    }
    const field = b >>> 23;
    if (field === 0xff) {
      nonfinite++;
      continue;
    }
    const exponent = field === 0 ? 31 - Math.clz32(b) - 149 : field - 127;
    if (exponent < minExponent) below++;
    else if (exponent >= maxExponent) above++;
    else counts[exponent - minExponent]++;
  }
  return { minExponent, counts, below, above, zeros, nonfinite };
}
