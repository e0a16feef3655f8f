import { describe, expect, it } from 'vitest';
import { randomArray } from './gradCheck';
import { clipByGlobalNorm, globalNorm, gradNorms, unscaleGrads } from './gradNorm';
import { F32, F64 } from './precision';

describe('gradient norms, clipping, unscaling', () => {
  const g = randomArray(100, 1, 3);
  const spans = [
    { offset: 0, size: 30 },
    { offset: 30, size: 50 },
    { offset: 80, size: 20 },
  ];

  it('per-tensor and global L2 norms match sqrt of sums of squares', () => {
    const per = new Float64Array(3);
    const { norm, finite } = gradNorms(F64, g, spans, per);
    const sq = (a: number, b: number) =>
      Array.from(g.subarray(a, b)).reduce((s, x) => s + x * x, 0);
    expect(per[1]).toBeCloseTo(Math.sqrt(sq(30, 80)), 13);
    expect(norm).toBeCloseTo(Math.sqrt(sq(0, 100)), 13);
    expect(finite).toBe(true);
    const n32 = globalNorm(F32, new Float32Array(g)).norm;
    expect(n32).toBe(Math.fround(n32));
    expect(Math.abs(n32 - norm) / norm).toBeLessThan(1e-6);
  });

  it('flags inf and NaN elements, even when the sum of squares is already inf', () => {
    for (const bad of [Infinity, -Infinity, NaN]) {
      const x = new Float32Array([1, bad, 2]);
      expect(globalNorm(F32, x).finite).toBe(false);
    }
    const huge = new Float32Array([3e38, 3e38]);
    const r = globalNorm(F32, huge);
    expect(r.norm).toBe(Infinity); // f32 sum of squares overflows
    expect(r.finite).toBe(true);
  });

  it('clips to maxNorm when above, leaves gradients alone when below', () => {
    const x = g.slice();
    const { norm } = globalNorm(F64, x);
    const coef = clipByGlobalNorm(F64, x, norm, 1);
    expect(coef).toBeCloseTo(1 / (norm + 1e-6), 15);
    expect(globalNorm(F64, x).norm).toBeCloseTo(1, 5);
    const y = g.slice();
    expect(clipByGlobalNorm(F64, y, norm, 1e6)).toBe(1);
    expect(Array.from(y)).toEqual(Array.from(g));
  });

  it('unscales by invScale and reports inf/NaN', () => {
    const x = new Float32Array([65536, -32768, 3]);
    expect(unscaleGrads(F32, x, 1 / 65536).foundInf).toBe(false);
    expect(Array.from(x)).toEqual([1, -0.5, Math.fround(3 / 65536)]);
    expect(unscaleGrads(F32, new Float32Array([1, NaN]), 0.5).foundInf).toBe(true);
  });
});
