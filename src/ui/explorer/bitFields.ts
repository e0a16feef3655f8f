/** A format's bits split at its fields, as drawn in the bit layout and printed in the table.
 * Bit i counts from the least significant (bit 0) to the sign (bit format.bits - 1). */
import type { Format } from '../../numerics';

export type FieldKind = 'sign' | 'exponent' | 'mantissa';

export interface Field {
  kind: FieldKind;
  /** Highest and lowest bit index of the field, inclusive. */
  high: number;
  low: number;
}

export function fieldsOf(f: Format): Field[] {
  const m = f.mantissaBits;
  return [
    { kind: 'sign', high: f.bits - 1, low: f.bits - 1 },
    { kind: 'exponent', high: f.bits - 2, low: m },
    { kind: 'mantissa', high: m - 1, low: 0 },
  ];
}

export function bitAt(bits: number, i: number): 0 | 1 {
  return ((bits >>> i) & 1) as 0 | 1;
}

/** Bits with bit i inverted, kept unsigned (bit 31 of FP32 included). */
export function flipBit(bits: number, i: number): number {
  return (bits ^ (1 << i)) >>> 0;
}

export function fieldValue(bits: number, field: Field): number {
  const width = field.high - field.low + 1;
  return Math.floor(bits / 2 ** field.low) % 2 ** width;
}

/** 0x7C00 for FP16, 0x3F800000 for FP32: always the format's full width in hex digits. */
export function toHex(f: Format, bits: number): string {
  return (
    '0x' +
    bits
      .toString(16)
      .toUpperCase()
      .padStart(Math.ceil(f.bits / 4), '0')
  );
}

/** ['0', '11111', '0000000000'] for FP16 inf: sign, exponent, mantissa. */
export function toBinaryFields(f: Format, bits: number): string[] {
  return fieldsOf(f).map((field) =>
    fieldValue(bits, field)
      .toString(2)
      .padStart(field.high - field.low + 1, '0'),
  );
}

/** How the fields combine into the value, e.g. "+2^15 × (1 + 1023/1024)" or "exponent all ones, mantissa 0: −∞". */
export function bitFormula(f: Format, bits: number): string {
  const [signF, expF, manF] = fieldsOf(f);
  const sign = fieldValue(bits, signF) ? '−' : '+';
  const e = fieldValue(bits, expF);
  const m = fieldValue(bits, manF);
  const eMax = 2 ** f.exponentBits - 1;
  const scale = 2 ** f.mantissaBits;
  if (e === eMax && f.special === 'ieee') {
    return m === 0
      ? `exponent all ones, mantissa 0: ${sign}∞`
      : 'exponent all ones, mantissa ≠ 0: NaN';
  }
  if (e === eMax && m === scale - 1)
    return 'exponent and mantissa all ones: NaN (the only NaN; no ∞ in this format)';
  if (e === 0) return `exponent 0, subnormal: ${sign}2^${1 - f.bias} × (0 + ${m}/${scale})`;
  return `${sign}2^(${e} − ${f.bias}) × (1 + ${m}/${scale})`;
}
