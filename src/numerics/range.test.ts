import { describe, expect, it } from 'vitest';
import { range, type FormatRange } from './range';
import { encode } from './encode';
import { FORMAT_NAMES, type FormatName } from './formats';

const EXPECTED: Record<FormatName, Omit<FormatRange, 'overflowThreshold'> & { overflowThreshold?: number }> = {
  fp32: {
    maxFinite: 3.4028234663852886e38, minNormal: 2 ** -126, minSubnormal: 2 ** -149,
    overflowMidpoint: 2 ** 128 - 2 ** 103, overflowThreshold: 2 ** 128 - 2 ** 103,
    underflowThreshold: 2 ** -150, epsilon: 2 ** -23,
  },
  fp16: {
    maxFinite: 65504, minNormal: 6.103515625e-5, minSubnormal: 5.960464477539063e-8,
    overflowMidpoint: 65520, overflowThreshold: 65520, underflowThreshold: 2 ** -25, epsilon: 2 ** -10,
  },
  bf16: {
    maxFinite: 3.3895313892515355e38, minNormal: 1.1754943508222875e-38, minSubnormal: 9.183549615799121e-41,
    overflowMidpoint: 3.39617752923046e38, overflowThreshold: 3.39617752923046e38,
    underflowThreshold: 2 ** -134, epsilon: 2 ** -7,
  },
  'fp8-e4m3': {
    // 464 itself rounds to 448 (even mantissa), so the threshold is the next double, 464 + 2^-44.
    maxFinite: 448, minNormal: 0.015625, minSubnormal: 0.001953125,
    overflowMidpoint: 464, overflowThreshold: 464 + 2 ** -44, underflowThreshold: 2 ** -10, epsilon: 0.125,
  },
  'fp8-e5m2': {
    maxFinite: 57344, minNormal: 2 ** -14, minSubnormal: 2 ** -16,
    overflowMidpoint: 61440, overflowThreshold: 61440, underflowThreshold: 2 ** -17, epsilon: 0.25,
  },
};

describe.each(FORMAT_NAMES)('range of %s', (name) => {
  it('has the published values', () => {
    expect(range(name)).toEqual(EXPECTED[name]);
  });

  it('thresholds are where encode changes', () => {
    const r = range(name);
    const bits = new DataView(new ArrayBuffer(8));
    const below = (x: number) => {
      bits.setFloat64(0, x);
      bits.setBigUint64(0, bits.getBigUint64(0) - 1n);
      return bits.getFloat64(0);
    };
    const magnitude = (x: number) => encode(name, x);
    expect(magnitude(r.overflowThreshold)).toBe(magnitude(Infinity));
    expect(magnitude(below(r.overflowThreshold))).toBe(encode(name, r.maxFinite));
    expect(magnitude(r.underflowThreshold)).toBe(0);
    expect(magnitude(r.minSubnormal)).toBe(1);
  });
});
