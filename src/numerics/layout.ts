/**
 * Integer facts of a format's bit layout, derived from its description, and the two steps every
 * conversion shares: where a significand sits on the format's grid, and how a rounded
 * significand becomes a bit pattern. All values are integers below 2^53, so the double
 * arithmetic on them is exact integer arithmetic.
 */
import type { Format } from './formats';
import { pow2 } from './bits';

export interface Layout {
  readonly format: Format;
  /** 2^mantissaBits: one step of the exponent field in the bit pattern. */
  readonly unit: number;
  /** Exponent of the smallest normal number, 1 - bias. */
  readonly emin: number;
  /** 2^(bits - 1): the sign bit. */
  readonly signBit: number;
  /** Magnitude bits (sign cleared) where finite values end: inf for 'ieee', NaN for 'fn'.
   * Every magnitude at or above it is not finite. */
  readonly overflowMagnitude: number;
  /** Magnitude bits of the quiet NaN stored for NaN inputs. */
  readonly nanMagnitude: number;
}

const cache = new WeakMap<Format, Layout>();

export function layoutOf(format: Format): Layout {
  let layout = cache.get(format);
  if (layout) return layout;
  const unit = pow2(format.mantissaBits);
  const exponentOnes = pow2(format.exponentBits) - 1;
  layout = {
    format,
    unit,
    emin: 1 - format.bias,
    signBit: pow2(format.bits - 1),
    // 'ieee': S.11..1.00..0 is inf. 'fn' (OCP E4M3): S.1111.111 is the only non-finite pattern.
    overflowMagnitude: format.special === 'ieee' ? exponentOnes * unit : exponentOnes * unit + unit - 1,
    nanMagnitude: format.canonicalNaN,
  };
  cache.set(format, layout);
  return layout;
}

/**
 * For |x| = significand * 2^(exponent - fractionBits), the number of low significand bits that
 * fall below the format's quantum (one unit in the last place) at that exponent. Below the
 * format's normal range the quantum stays at 2^(emin - mantissaBits) (subnormals).
 */
export function gridShift(layout: Layout, exponent: number, fractionBits: number): number {
  const e = exponent < layout.emin ? layout.emin : exponent;
  return fractionBits - layout.format.mantissaBits + (e - exponent);
}

/**
 * Magnitude bits of q quanta at `exponent` (q is the significand already shifted by gridShift
 * and rounded). (e - emin) * 2^m + q puts a carry out of the mantissa into the exponent field
 * for free, and below emin gives the subnormal pattern q (q = 2^m is the smallest normal).
 * Saturates at the overflow pattern: inf, or NaN for formats without inf.
 */
export function magnitudeBits(layout: Layout, exponent: number, q: number): number {
  const e = exponent < layout.emin ? layout.emin : exponent;
  const magnitude = (e - layout.emin) * layout.unit + q;
  return magnitude >= layout.overflowMagnitude ? layout.overflowMagnitude : magnitude;
}

/** Bits with the sign applied, as an unsigned integer (fp32 up to 2^32 - 1). */
export function withSign(layout: Layout, sign: number, magnitude: number): number {
  return sign ? magnitude + layout.signBit : magnitude;
}
