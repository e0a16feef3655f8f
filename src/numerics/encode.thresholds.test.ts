// Boundaries written as bit literals split at the fields (gpuweb/cts style): sign_exponent_mantissa.
import { describe, expect, it } from 'vitest';
import { decode, encode, roundTo } from './encode';
import type { FormatName } from './formats';

/** The double after / before a positive finite x, from its bits (independent of src/bits.ts). */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}
function nextDown(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}
/** A double from its raw 64 bits. */
function fromBits64(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
const NEGATIVE_NAN = fromBits64(0xfff8_0000_0000_0000n);
const POSITIVE_NAN = fromBits64(0x7ff8_0000_0000_0000n);
const SIGNALLING_NAN = fromBits64(0x7ff0_0000_0000_0001n);

type Case = [input: number, bits: number, why: string];

const TABLES: Record<FormatName, Case[]> = {
  fp16: [
    [0, 0b0_00000_0000000000, '+0'],
    [-0, 0b1_00000_0000000000, '-0 keeps its sign'],
    [1, 0b0_01111_0000000000, 'one'],
    [65504, 0b0_11110_1111111111, 'max'],
    [65519.996, 0b0_11110_1111111111, 'just below the overflow midpoint'],
    [nextDown(65520), 0b0_11110_1111111111, 'the double below 65520'],
    [65520, 0b0_11111_0000000000, 'midpoint, odd mantissa: ties to even goes to inf'],
    [-65520, 0b1_11111_0000000000, '-inf'],
    [1e300, 0b0_11111_0000000000, 'huge -> inf'],
    [Infinity, 0b0_11111_0000000000, 'inf'],
    [-Infinity, 0b1_11111_0000000000, '-inf'],
    [2 ** -24, 0b0_00000_0000000001, 'smallest subnormal'],
    [2 ** -25, 0b0_00000_0000000000, 'half the smallest subnormal: tie to even 0'],
    [nextUp(2 ** -25), 0b0_00000_0000000001, 'just above half: rounds up'],
    [-(2 ** -25), 0b1_00000_0000000000, '-2^-25 -> -0'],
    [1.5 * 2 ** -24, 0b0_00000_0000000010, 'tie 1.5 quanta -> 2 (even)'],
    [2.5 * 2 ** -24, 0b0_00000_0000000010, 'tie 2.5 quanta -> 2 (even)'],
    [1023 * 2 ** -24, 0b0_00000_1111111111, 'largest subnormal'],
    [2 ** -14 - 2 ** -25, 0b0_00001_0000000000, 'tie between largest subnormal (odd) and min normal'],
    [nextDown(2 ** -14 - 2 ** -25), 0b0_00000_1111111111, 'just below that tie'],
    [2 ** -14, 0b0_00001_0000000000, 'min normal'],
    [5e-324, 0b0_00000_0000000000, 'smallest double subnormal'],
    [-5e-324, 0b1_00000_0000000000, 'negative double subnormal -> -0'],
    [1 + 2 ** -11, 0b0_01111_0000000000, 'tie at 1, even mantissa stays'],
    [nextUp(1 + 2 ** -11), 0b0_01111_0000000001, 'just above the tie'],
    [1 + 3 * 2 ** -11, 0b0_01111_0000000010, 'tie above odd mantissa goes up'],
    [2047 / 1024 + 2 ** -11, 0b0_10000_0000000000, 'carry out of the mantissa into the exponent'],
    [POSITIVE_NAN, 0b0_11111_1000000000, 'NaN -> quiet NaN'],
    [NEGATIVE_NAN, 0b1_11111_1000000000, '-NaN keeps its sign'],
    [SIGNALLING_NAN, 0b0_11111_1000000000, 'a NaN whose payload would truncate to inf stays NaN'],
  ],
  bf16: [
    [1, 0b0_01111111_0000000, 'one'],
    [-0, 0b1_00000000_0000000, '-0'],
    [3.3895313892515355e38, 0b0_11111110_1111111, 'max'],
    [nextDown(3.39617752923046e38), 0b0_11111110_1111111, 'just below the overflow midpoint'],
    [3.39617752923046e38, 0b0_11111111_0000000, 'overflow midpoint 2^128 - 2^119 (odd mantissa) -> inf'],
    [Number('3.3961775292304957e38'), 0b0_11111111_0000000, 'above the midpoint -> inf'],
    [3.4028234663852886e38, 0b0_11111111_0000000, 'f32 max -> inf'],
    [1 + 2 ** -8, 0b0_01111111_0000000, 'tie, even mantissa stays'],
    [1 + 3 * 2 ** -8, 0b0_01111111_0000010, 'tie above odd mantissa goes up'],
    [2 ** -133, 0b0_00000000_0000001, 'smallest subnormal'],
    [2 ** -134, 0b0_00000000_0000000, 'half of it -> 0'],
    [nextUp(2 ** -134), 0b0_00000000_0000001, 'just above half'],
    [2 ** -126, 0b0_00000001_0000000, 'min normal'],
    [POSITIVE_NAN, 0x7fc0, 'NaN -> 0x7FC0'],
    [NEGATIVE_NAN, 0xffc0, '-NaN -> 0xFFC0'],
    [SIGNALLING_NAN, 0x7fc0, 'never inf for a NaN'],
    [-Infinity, 0b1_11111111_0000000, '-inf'],
  ],
  'fp8-e4m3': [
    [448, 0b0_1111_110, 'max (S.1111.111 is NaN)'],
    [416, 0b0_1111_101, 'all-ones exponent is still finite'],
    [463.99, 0b0_1111_110, 'below the midpoint'],
    [464, 0b0_1111_110, 'midpoint 464: 448 has the even mantissa 110, so the tie stays at 448 (as PyTorch)'],
    [nextUp(464), 0b0_1111_111, 'above the midpoint -> NaN (no inf, non-saturating)'],
    [480, 0b0_1111_111, '480 -> NaN'],
    [-500, 0b1_1111_111, '-500 -> NaN with sign'],
    [Infinity, 0b0_1111_111, 'inf -> NaN'],
    [-Infinity, 0b1_1111_111, '-inf -> -NaN'],
    [POSITIVE_NAN, 0b0_1111_111, 'NaN'],
    [NEGATIVE_NAN, 0b1_1111_111, '-NaN'],
    [2 ** -9, 0b0_0000_001, 'smallest subnormal'],
    [2 ** -10, 0b0_0000_000, 'half of it -> 0'],
    [nextUp(2 ** -10), 0b0_0000_001, 'just above half'],
    [7 * 2 ** -9, 0b0_0000_111, 'largest subnormal'],
    [2 ** -6 - 2 ** -10, 0b0_0001_000, 'tie to min normal'],
    [2 ** -6, 0b0_0001_000, 'min normal'],
    [-0, 0b1_0000_000, '-0'],
  ],
  'fp8-e5m2': [
    [57344, 0b0_11110_11, 'max'],
    [nextDown(61440), 0b0_11110_11, 'just below the midpoint'],
    [61440, 0b0_11111_00, 'midpoint -> inf'],
    [POSITIVE_NAN, 0b0_11111_10, 'NaN'],
    [NEGATIVE_NAN, 0b1_11111_10, '-NaN'],
    [2 ** -16, 0b0_00000_01, 'smallest subnormal'],
    [2 ** -17, 0b0_00000_00, 'half of it -> 0'],
    [3 * 2 ** -17, 0b0_00000_10, 'tie 1.5 quanta -> 2'],
    [2 ** -14, 0b0_00001_00, 'min normal'],
    [1.125, 0b0_01111_00, 'tie at 1 stays'],
    [1.375, 0b0_01111_10, 'tie above odd goes up'],
  ],
  fp32: [
    [1, 0x3f800000, 'one'],
    [0.1, 0x3dcccccd, '0.1 rounds up'],
    [2 ** -149, 0x00000001, 'smallest subnormal'],
    [2 ** -150, 0x00000000, 'half of it -> 0'],
    [3 * 2 ** -151, 0x00000001, '0.75 quanta -> 1'],
    [3.4028234663852886e38, 0x7f7fffff, 'max'],
    [nextDown(2 ** 128 - 2 ** 103), 0x7f7fffff, 'just below the midpoint'],
    [2 ** 128 - 2 ** 103, 0x7f800000, 'midpoint -> inf'],
    [NEGATIVE_NAN, 0xffc00000, '-NaN'],
    [-0, 0x80000000, '-0'],
    [1 + 2 ** -24, 0x3f800000, 'tie stays even'],
    [1 + 3 * 2 ** -24, 0x3f800002, 'tie goes to even'],
  ],
};

describe.each(Object.entries(TABLES))('%s thresholds', (name, cases) => {
  it.each(cases)('%s -> %i (%s)', (input, bits) => {
    expect(encode(name as FormatName, input).toString(2)).toBe(bits.toString(2));
  });
});

describe('decode of the thresholds', () => {
  it('gives the documented values', () => {
    expect(decode('fp16', 0b0_11110_1111111111)).toBe(65504);
    expect(decode('bf16', 0b0_11111110_1111111)).toBe(3.3895313892515355e38);
    expect(3.39617752923046e38).toBe(2 ** 128 - 2 ** 119);
    expect(decode('fp8-e4m3', 0b0_1111_110)).toBe(448);
    expect(decode('fp8-e5m2', 0b0_11110_11)).toBe(57344);
    expect(Object.is(roundTo('fp16', -(2 ** -25)), -0)).toBe(true);
    expect(roundTo('fp16', 65519.996)).toBe(65504);
  });
});
