/**
 * Number formats described as data. Every conversion, classification, WGSL load/store helper and
 * range drawn on screen is derived from these descriptions, never written per format.
 *
 * Layout of a format with e exponent bits and m mantissa bits: [sign:1][exponent:e][mantissa:m],
 * value = (-1)^s * 2^(E - bias) * (1 + M / 2^m) for 0 < E < Emax, subnormal 2^(1 - bias) * M / 2^m
 * for E = 0. The all-ones exponent is reserved for inf/NaN in IEEE-style formats ('ieee');
 * OCP FP8 E4M3 ('fn', "finite, NaN") has no infinities and only S.1111.111 is NaN.
 */
export type FormatName = 'fp32' | 'fp16' | 'bf16' | 'fp8-e4m3' | 'fp8-e5m2';

/** How the all-ones exponent is used. */
export type SpecialValues =
  /** IEEE 754: all-ones exponent with zero mantissa is inf, any other mantissa is NaN. */
  | 'ieee'
  /** OCP E4M3: no infinities; only the all-ones exponent with all-ones mantissa is NaN. */
  | 'fn';

export interface Format {
  readonly name: FormatName;
  /** Name as shown to people. */
  readonly label: string;
  readonly exponentBits: number;
  readonly mantissaBits: number;
  readonly bias: number;
  readonly special: SpecialValues;
  /** Total storage width in bits (1 + exponentBits + mantissaBits). */
  readonly bits: number;
  /** Bits of the quiet NaN this format stores for any NaN input (sign bit clear). */
  readonly canonicalNaN: number;
}

function describe(
  name: FormatName,
  label: string,
  exponentBits: number,
  mantissaBits: number,
  special: SpecialValues,
): Format {
  const bits = 1 + exponentBits + mantissaBits;
  const bias = (1 << (exponentBits - 1)) - 1;
  // Quiet NaN: all-ones exponent, top mantissa bit set (for 'fn', all-ones mantissa).
  const expOnes = ((1 << exponentBits) - 1) << mantissaBits;
  const canonicalNaN =
    special === 'fn' ? expOnes | ((1 << mantissaBits) - 1) : (expOnes | (1 << (mantissaBits - 1))) >>> 0;
  return { name, label, exponentBits, mantissaBits, bias, special, bits, canonicalNaN };
}

export const FORMATS: Readonly<Record<FormatName, Format>> = {
  fp32: describe('fp32', 'FP32', 8, 23, 'ieee'),
  fp16: describe('fp16', 'FP16', 5, 10, 'ieee'),
  bf16: describe('bf16', 'BF16', 8, 7, 'ieee'),
  'fp8-e4m3': describe('fp8-e4m3', 'FP8 E4M3', 4, 3, 'fn'),
  'fp8-e5m2': describe('fp8-e5m2', 'FP8 E5M2', 5, 2, 'ieee'),
};

export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

export function isFormatName(name: string): name is FormatName {
  return Object.prototype.hasOwnProperty.call(FORMATS, name);
}
