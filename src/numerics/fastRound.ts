/**
 * Fast f32 -> bf16 / fp16 round to nearest even, for the hot path of the CPU reference (every
 * stored activation and gradient). Same results as the generic roundTo (encode.ts), which costs
 * ~180 ns a call; these work on the f32 bits in a shared Float32Array/Uint32Array pair.
 *
 * A double that is not an f32 value (Math.fround(x) !== x) goes to the generic path: rounding it
 * to f32 first would round twice.
 *
 * bf16: the classic bit trick (bits + 0x7FFF + ((bits >> 16) & 1)) with the low 16 bits cleared;
 * the carry moves into the exponent for free and past the largest finite value reaches inf. bf16
 * shares f32's exponent range, so f32 subnormals round on the same uniform grid.
 * fp16: normal range (|x| >= 2^-14) by the same trick on 13 discarded bits, overflow from 65520
 * (the midpoint above 65504, whose tie goes up to the even inf pattern); below 2^-14 the quantum
 * is 2^-24, and |x| * 2^24 is exact in a double, so ties-to-even is decided on that integer grid.
 */
import { roundTo } from './encode';
import type { FormatName } from './formats';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

const EXPONENT_MASK = 0x7f800000;
const FP16_MIN_NORMAL_BITS = 0x38800000; // 2^-14
const FP16_OVERFLOW_BITS = 0x477ff000; // 65520
const TWO_24 = 2 ** 24;

/** roundTo('bf16', x): x rounded to bf16 (nearest even), as a double. */
export function roundToBf16(x: number): number {
  f32[0] = x;
  const rounded = f32[0];
  if (rounded !== x) return Number.isNaN(x) ? x : roundTo('bf16', x);
  const bits = u32[0];
  if ((bits & EXPONENT_MASK) === EXPONENT_MASK) return x; // ±inf
  u32[0] = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
  return f32[0];
}

/** roundTo('fp16', x): x rounded to fp16 (nearest even), as a double. */
export function roundToFp16(x: number): number {
  f32[0] = x;
  const rounded = f32[0];
  if (rounded !== x) return Number.isNaN(x) ? x : roundTo('fp16', x);
  const bits = u32[0];
  const magnitude = bits & 0x7fffffff;
  if (magnitude >= FP16_MIN_NORMAL_BITS) {
    if (magnitude >= FP16_OVERFLOW_BITS) return x > 0 ? Infinity : -Infinity;
    u32[0] = (bits + 0xfff + ((bits >>> 13) & 1)) & 0xffffe000;
    return f32[0];
  }
  const t = Math.abs(x) * TWO_24; // exact: a power-of-two scaling of an f32 value
  const below = Math.floor(t);
  const rest = t - below;
  const q = rest > 0.5 || (rest === 0.5 && (below & 1) === 1) ? below + 1 : below;
  const value = q / TWO_24;
  return bits >>> 31 ? -value : value;
}

/** The fastest exact round-to-nearest-even for the format: roundTo's results, any double in. */
export function rounderTo(format: FormatName): (x: number) => number {
  if (format === 'fp32') return Math.fround;
  if (format === 'bf16') return roundToBf16;
  if (format === 'fp16') return roundToFp16;
  return (x: number) => roundTo(format, x);
}
