// Every bit pattern of the 16- and 8-bit formats: decode against a formula written here from the
// published layouts (not from formats.ts), and encode(decode(bits)) gives the bits back.
import { describe, expect, it } from 'vitest';
import { decode, encode } from './encode';
import type { FormatName } from './formats';

interface Spec {
  name: FormatName;
  e: number;
  m: number;
  bias: number;
  infinities: boolean; // false: OCP E4M3, only S.1111.111 is NaN
  quietNaN: number;
  nanPatterns: number; // both signs
}

const SPECS: Spec[] = [
  { name: 'fp16', e: 5, m: 10, bias: 15, infinities: true, quietNaN: 0b0_11111_1000000000, nanPatterns: 2 * 1023 },
  { name: 'bf16', e: 8, m: 7, bias: 127, infinities: true, quietNaN: 0b0_11111111_1000000, nanPatterns: 2 * 127 },
  { name: 'fp8-e4m3', e: 4, m: 3, bias: 7, infinities: false, quietNaN: 0b0_1111_111, nanPatterns: 2 },
  { name: 'fp8-e5m2', e: 5, m: 2, bias: 15, infinities: true, quietNaN: 0b0_11111_10, nanPatterns: 2 * 3 },
];

/** Value of a bit pattern from its binary digits. */
function referenceDecode(spec: Spec, bits: number): number {
  const digits = bits.toString(2).padStart(1 + spec.e + spec.m, '0');
  const sign = digits[0] === '1' ? -1 : 1;
  const exponent = parseInt(digits.slice(1, 1 + spec.e), 2);
  const mantissa = parseInt(digits.slice(1 + spec.e), 2);
  const allOnes = 2 ** spec.e - 1;
  if (spec.infinities && exponent === allOnes) return mantissa === 0 ? sign * Infinity : NaN;
  if (!spec.infinities && exponent === allOnes && mantissa === 2 ** spec.m - 1) return NaN;
  if (exponent === 0) return sign * mantissa * 2 ** (1 - spec.bias - spec.m);
  return sign * (1 + mantissa / 2 ** spec.m) * 2 ** (exponent - spec.bias);
}

describe.each(SPECS)('every pattern of $name', (spec) => {
  const count = 2 ** (1 + spec.e + spec.m);

  it('decodes to the value of its fields', () => {
    let nans = 0;
    for (let bits = 0; bits < count; bits++) {
      const expected = referenceDecode(spec, bits);
      const actual = decode(spec.name, bits);
      if (Number.isNaN(expected)) nans++;
      if (!Object.is(actual, expected)) expect.fail(`bits 0x${bits.toString(16)}: ${actual} != ${expected}`);
    }
    expect(nans).toBe(spec.nanPatterns);
  });

  it('re-encodes to itself; NaN patterns to the quiet NaN', () => {
    const signBit = count / 2;
    for (let bits = 0; bits < count; bits++) {
      const value = decode(spec.name, bits);
      const again = encode(spec.name, value);
      if (Number.isNaN(value)) {
        if (again % signBit !== spec.quietNaN) expect.fail(`NaN 0x${bits.toString(16)} -> 0x${again.toString(16)}`);
      } else if (again !== bits) {
        expect.fail(`0x${bits.toString(16)} -> ${value} -> 0x${again.toString(16)}`);
      }
    }
  });
});

describe('bf16 decode is the f32 with the same top 16 bits', () => {
  it('matches a Float32Array view for all 65536 patterns', () => {
    const word = new Uint32Array(1);
    const view = new Float32Array(word.buffer);
    for (let bits = 0; bits < 0x10000; bits++) {
      word[0] = bits << 16;
      const expected = view[0];
      const actual = decode('bf16', bits);
      if (!Object.is(actual, expected) && !(Number.isNaN(actual) && Number.isNaN(expected)))
        expect.fail(`0x${bits.toString(16)}: ${actual} != ${expected}`);
    }
  });
});

describe('fp32 patterns', () => {
  it('decode and encode agree with a Float32Array view on 200k patterns', () => {
    const words = new Uint32Array(200_000);
    let state = 0x12345678;
    for (let i = 0; i < words.length; i++) {
      // xorshift32 (Marsaglia 2003) for inputs only.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    words[0] = 0x80000000;
    words[1] = 0x7f800000;
    words[2] = 0x00000001;
    const values = new Float32Array(words.buffer);
    for (let i = 0; i < words.length; i++) {
      const decoded = decode('fp32', words[i]);
      if (Number.isNaN(values[i])) {
        if (!Number.isNaN(decoded)) expect.fail(`0x${words[i].toString(16)} should be NaN`);
        continue;
      }
      if (!Object.is(decoded, values[i])) expect.fail(`0x${words[i].toString(16)}: ${decoded}`);
      if (encode('fp32', values[i]) !== words[i]) expect.fail(`0x${words[i].toString(16)} does not re-encode`);
    }
  });
});
