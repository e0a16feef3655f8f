/**
 * Stochastic rounding of f32 values to a format (Gupta et al., "Deep Learning with Limited
 * Numerical Precision", ICML 2015): x between neighbours lo < x < hi becomes hi with probability
 * (x - lo) / (hi - lo), so E[result] = x and small updates survive on average.
 *
 * On x's f32 bits: the significand (24 bits with the implicit one) is shifted right by `shift`
 * bits onto the format's grid; the discarded bits `rest` (< 2^shift) decide with the random
 * word r: round away from zero iff floor(rest * 2^(32 - shift)) + r >= 2^32. For shift <= 32
 * that is exact: iff (r >> (32 - shift)) + rest >= 2^shift (the top `shift` bits of r, as in the
 * classic f32 -> bf16 trick "add 16 random bits below the cut, truncate"). For shift > 32 (only
 * far below the format's subnormals) the fraction is cut to 32 bits: the chance to round up is
 * low by less than 2^-32.
 */
import type { FormatLike } from './resolve';
import { resolveFormat } from './resolve';
import { F32_FRACTION_BITS, pow2 } from './bits';
import { FORMATS } from './formats';
import { encode } from './encode';
import { gridShift, layoutOf, magnitudeBits, withSign } from './layout';

const TWO_32 = 0x1_0000_0000;
const F32_IMPLICIT = 2 ** F32_FRACTION_BITS;

/** Bits of x (an f32 value; another double is first rounded to f32, to nearest even) rounded
 * stochastically to the format with the u32 random word `random`. Always one of the two
 * neighbours of x (above the largest finite value the upper neighbour is inf, or NaN for E4M3);
 * exact values, zeros, inf and NaN are handled as encode does. */
export function stochasticRound(format: FormatLike, x: number, random: number): number {
  const layout = layoutOf(resolveFormat(format));
  const bits = encode(FORMATS.fp32, x);
  const sign = bits >>> 31;
  const exponentField = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (exponentField === 0xff) {
    return withSign(layout, sign, fraction === 0 ? layout.overflowMagnitude : layout.nanMagnitude);
  }
  const significand = exponentField === 0 ? fraction : fraction + F32_IMPLICIT;
  if (significand === 0) return withSign(layout, sign, 0);
  const exponent = exponentField === 0 ? -126 : exponentField - 127;
  const shift = gridShift(layout, exponent, F32_FRACTION_BITS);
  const quantum = pow2(shift);
  let q = Math.floor(significand / quantum);
  const rest = significand - q * quantum;
  const scaledRest = shift <= 32 ? rest * pow2(32 - shift) : Math.floor(rest / pow2(shift - 32));
  if (scaledRest + (random >>> 0) >= TWO_32) q += 1;
  return withSign(layout, sign, magnitudeBits(layout, exponent, q));
}
