import { describe, expect, it } from 'vitest';
import { doubleFromWords, doubleParts, f32Bits, f32FromBits, nextUp, pow2 } from './bits';

describe('bits', () => {
  it('splits doubles into sign, exponent and integer significand', () => {
    expect(doubleParts(1)).toEqual({ sign: 0, exponentField: 1023, exponent: 0, significand: 2 ** 52 });
    expect(doubleParts(-1.5)).toEqual({ sign: 1, exponentField: 1023, exponent: 0, significand: 3 * 2 ** 51 });
    expect(doubleParts(5e-324)).toEqual({ sign: 0, exponentField: 0, exponent: -1022, significand: 1 });
    expect(doubleParts(-0).sign).toBe(1);
    for (const x of [Math.PI, 1e-310, 6.02e23, -3.4e38]) {
      const p = doubleParts(x);
      expect((p.sign ? -1 : 1) * p.significand * 2 ** (p.exponent - 52)).toBe(x);
    }
  });

  it('round-trips words and f32 bits', () => {
    expect(doubleFromWords(0x3ff00000, 0)).toBe(1);
    expect(doubleFromWords(0, 1)).toBe(5e-324);
    expect(f32FromBits(0x3f800000)).toBe(1);
    expect(f32Bits(-2)).toBe(0xc0000000);
    expect(nextUp(1)).toBe(1 + 2 ** -52);
    expect(nextUp(0)).toBe(5e-324);
  });

  it('pow2 is exact over the double range', () => {
    expect(pow2(-1074)).toBe(5e-324);
    expect(pow2(1023)).toBe(8.98846567431158e307);
    expect(pow2(-1075)).toBe(0);
    expect(pow2(1024)).toBe(Infinity);
    for (let k = -1074; k < 1023; k++) if (pow2(k + 1) / 2 !== pow2(k)) expect.fail(`2^${k}`);
  });
});
