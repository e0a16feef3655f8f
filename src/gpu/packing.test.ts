import { describe, expect, it } from 'vitest';
import { FORMATS, decode, encode, random32 } from '../numerics';
import {
  decodeWords,
  encodeWords,
  packBits,
  storageByteLength,
  unpackBits,
  wordCount,
} from './packing';

describe('packed storage layout', () => {
  it('puts element 2i in the low half of word i and 2i+1 in the high half', () => {
    // fp16 1.0 = 0b0_01111_0000000000, 2.0 = 0b0_10000_0000000000, -0 = 0b1_00000_0000000000
    expect([
      ...packBits('fp16', [0b0_01111_0000000000, 0b0_10000_0000000000, 0b1_00000_0000000000]),
    ]).toEqual([0x4000_3c00, 0x0000_8000]);
    expect([...packBits('fp8-e4m3', [0x01, 0x02, 0x03, 0x04, 0x05])]).toEqual([0x04030201, 0x05]);
  });

  it('takes ceil(n / lanes) whole words, never an empty buffer', () => {
    expect(storageByteLength('fp16', 15)).toBe(32);
    expect(storageByteLength('bf16', 16)).toBe(32);
    expect(storageByteLength('fp32', 3)).toBe(12);
    expect(storageByteLength('fp8-e5m2', 5)).toBe(8);
    expect(wordCount('fp16', 0)).toBe(1);
  });

  it('unpacks what it packs', () => {
    for (const storage of ['fp16', 'bf16', 'fp8-e4m3'] as const) {
      const mask = 2 ** FORMATS[storage].bits - 1;
      const bits = Array.from({ length: 37 }, (_, i) => random32(1, i) & mask);
      expect([...unpackBits(storage, packBits(storage, bits), bits.length)]).toEqual(bits);
    }
  });
});

describe('upload encoding and read-back decoding', () => {
  const values = Array.from(
    { length: 101 },
    (_, i) => (random32(2, i) / 2 ** 31 - 1) * 2 ** ((i % 50) - 25),
  );
  values.push(0, -0, Infinity, -Infinity, 65520, 1e-8);

  it('rounds each value with numerics encode (fp32 through ToFloat32, also round to nearest even)', () => {
    for (const storage of ['fp32', 'fp16', 'bf16', 'fp8-e5m2'] as const) {
      const bits = unpackBits(storage, encodeWords(storage, values), values.length);
      values.forEach((v, i) => expect(bits[i]).toBe(encode(storage, v)));
    }
  });

  it('decodes exactly', () => {
    for (const storage of ['fp32', 'fp16', 'bf16'] as const) {
      const words = encodeWords(storage, values);
      const bits = unpackBits(storage, words, values.length);
      const back = decodeWords(storage, words, values.length);
      values.forEach((_, i) => expect(Object.is(back[i], decode(storage, bits[i]))).toBe(true));
    }
  });
});
