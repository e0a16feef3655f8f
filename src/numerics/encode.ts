/**
 * Conversion between doubles and a format's bits, for every format from its description: round
 * to nearest, ties to even, on the exact value, in integer arithmetic (the significand is a
 * 53-bit integer; shifting right is an exact division by a power of two, the discarded bits are
 * compared against half a quantum, which is the guard-and-sticky rule of IEEE 754 §4.3.1).
 */
import type { FormatLike } from './resolve';
import { resolveFormat } from './resolve';
import { DOUBLE_FRACTION_BITS, doubleParts, pow2 } from './bits';
import { gridShift, layoutOf, magnitudeBits, withSign } from './layout';

const DOUBLE_IMPLICIT = 2 ** DOUBLE_FRACTION_BITS;

/** Bits of x in the format (unsigned integer), round to nearest even. NaN -> the quiet NaN with
 * x's sign; overflow -> ±inf, or NaN with the sign where the format has no inf (E4M3, as
 * PyTorch's non-saturating float8_e4m3fn cast); below half the smallest subnormal -> ±0. */
export function encode(format: FormatLike, x: number): number {
  const layout = layoutOf(resolveFormat(format));
  const { sign, exponentField, exponent, significand } = doubleParts(x);
  if (exponentField === 0x7ff) {
    const isInf = significand === DOUBLE_IMPLICIT;
    return withSign(layout, sign, isInf ? layout.overflowMagnitude : layout.nanMagnitude);
  }
  if (significand === 0) return withSign(layout, sign, 0);
  // Past 54 every significand (< 2^53) is below half a quantum: it rounds to zero at any shift.
  const shift = Math.min(gridShift(layout, exponent, DOUBLE_FRACTION_BITS), DOUBLE_FRACTION_BITS + 2);
  const quantum = pow2(shift);
  let q = Math.floor(significand / quantum);
  const rest = significand - q * quantum;
  const half = quantum / 2;
  if (rest > half || (rest === half && q % 2 === 1)) q += 1;
  return withSign(layout, sign, magnitudeBits(layout, exponent, q));
}

/** Exact value of the bits (only the format's low `bits` bits are read). NaN patterns -> NaN. */
export function decode(format: FormatLike, bits: number): number {
  const f = resolveFormat(format);
  const layout = layoutOf(f);
  const word = f.bits === 32 ? bits >>> 0 : (bits >>> 0) & (layout.signBit * 2 - 1);
  const negative = word >= layout.signBit;
  const magnitude = negative ? word - layout.signBit : word;
  let value: number;
  if (magnitude >= layout.overflowMagnitude) {
    value = f.special === 'ieee' && magnitude === layout.overflowMagnitude ? Infinity : NaN;
  } else {
    const exponentField = Math.floor(magnitude / layout.unit);
    const mantissa = magnitude - exponentField * layout.unit;
    value =
      exponentField === 0
        ? mantissa * pow2(layout.emin - f.mantissaBits)
        : (layout.unit + mantissa) * pow2(exponentField - f.bias - f.mantissaBits);
  }
  return negative ? -value : value;
}

/** decode(encode(x)): x rounded to the format, as a double. */
export function roundTo(format: FormatLike, x: number): number {
  return decode(format, encode(format, x));
}
