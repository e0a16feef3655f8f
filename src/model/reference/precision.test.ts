import { describe, expect, it } from 'vitest';
import { isBf16Value, randomArray } from './gradCheck';
import { addInto, castInto, F32, F64, residualForward, storagePolicy } from './precision';

describe('precision policies', () => {
  it('F64 rounds nothing, F32 rounds to f32, bf16/fp16 store to the format with f32 arithmetic', () => {
    const x = 1 + 2 ** -30;
    expect(F64.round(x)).toBe(x);
    expect(F64.store(x)).toBe(x);
    expect(F32.round(x)).toBe(1);
    const bf = storagePolicy('bf16');
    expect(bf.round(1 + 2 ** -20)).toBe(1 + 2 ** -20);
    expect(bf.store(1 + 2 ** -8)).toBe(1); // tie, to even
    expect(bf.store(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6); // tie, to even (up)
    const h = storagePolicy('fp16');
    expect(h.store(65520)).toBe(Infinity);
    expect(h.store(1 + 2 ** -11)).toBe(1);
    expect(storagePolicy('fp32')).toBe(F32);
    expect(F64.alloc(2)).toBeInstanceOf(Float64Array);
    expect(bf.alloc(2)).toBeInstanceOf(Float32Array);
  });

  it('cast, residual add and gradient accumulation store in the format', () => {
    const bf = storagePolicy('bf16');
    const src = new Float32Array(randomArray(64, 1, 10));
    const dst = new Float32Array(64);
    castInto(bf, dst, src);
    for (const v of dst) expect(isBf16Value(v)).toBe(true);
    const sum = new Float32Array(64);
    residualForward(bf, sum, dst, src);
    addInto(bf, sum, src);
    for (const v of sum) expect(isBf16Value(v)).toBe(true);
  });
});
