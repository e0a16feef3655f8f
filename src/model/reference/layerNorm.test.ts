import { describe, expect, it } from 'vitest';
import { checkGradient, dot, isBf16Value, randomArray } from './gradCheck';
import { layerNormBackward, layerNormForward } from './layerNorm';
import { F32, F64, storagePolicy } from './precision';

const [N, C] = [5, 7];

describe('layer norm', () => {
  it('forward matches a two-pass double reference (1e-12)', () => {
    const x = randomArray(N * C, 1, 3);
    const w = randomArray(C, 2);
    const b = randomArray(C, 3);
    const out = new Float64Array(N * C);
    layerNormForward(F64, out, new Float64Array(N), new Float64Array(N), x, w, b, N, C);
    for (let n = 0; n < N; n++) {
      const row = Array.from(x.subarray(n * C, (n + 1) * C));
      const mean = row.reduce((s, v) => s + v, 0) / C;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / C;
      for (let i = 0; i < C; i++) {
        const ref = ((row[i] - mean) / Math.sqrt(variance + 1e-5)) * w[i] + b[i];
        expect(out[n * C + i]).toBeCloseTo(ref, 12);
      }
    }
  });

  it('backward: dinp, dweight, dbias by central differences (f64, rel < 1e-5)', () => {
    const x = randomArray(N * C, 4, 2);
    const w = randomArray(C, 5);
    const b = randomArray(C, 6);
    const dout = randomArray(N * C, 7);
    const out = new Float64Array(N * C);
    const mean = new Float64Array(N);
    const rstd = new Float64Array(N);
    const loss = () => {
      layerNormForward(F64, out, mean, rstd, x, w, b, N, C);
      return dot(dout, out);
    };
    loss();
    const dx = new Float64Array(N * C);
    const dw = new Float64Array(C);
    const db = new Float64Array(C);
    layerNormBackward(F64, dx, dw, db, dout, x, w, mean, rstd, N, C);
    for (const [v, g] of [
      [x, dx],
      [w, dw],
      [b, db],
    ] as const) {
      expect(checkGradient(loss, v, g).maxRelError).toBeLessThan(1e-5);
    }
  });

  it('backward adds into dinp (the residual gradient)', () => {
    const x = randomArray(N * C, 8);
    const w = randomArray(C, 9);
    const dout = randomArray(N * C, 10);
    const mean = new Float64Array(N);
    const rstd = new Float64Array(N);
    layerNormForward(F64, new Float64Array(N * C), mean, rstd, x, w, new Float64Array(C), N, C);
    const fresh = new Float64Array(N * C);
    layerNormBackward(
      F64,
      fresh,
      new Float64Array(C),
      new Float64Array(C),
      dout,
      x,
      w,
      mean,
      rstd,
      N,
      C,
    );
    const prior = randomArray(N * C, 11);
    const acc = prior.slice();
    layerNormBackward(
      F64,
      acc,
      new Float64Array(C),
      new Float64Array(C),
      dout,
      x,
      w,
      mean,
      rstd,
      N,
      C,
    );
    for (let i = 0; i < N * C; i++) expect(acc[i]).toBeCloseTo(prior[i] + fresh[i], 14);
  });

  it('F32 keeps f32 values; bf16 storage writes bf16 outputs and input gradients', () => {
    for (const p of [F32, storagePolicy('bf16')]) {
      const x = new Float32Array(randomArray(N * C, 12, 4));
      const w = new Float32Array(randomArray(C, 13));
      const b = new Float32Array(randomArray(C, 14));
      const out = new Float32Array(N * C);
      const mean = new Float32Array(N);
      const rstd = new Float32Array(N);
      layerNormForward(p, out, mean, rstd, x, w, b, N, C);
      const dx = new Float32Array(N * C);
      layerNormBackward(
        p,
        dx,
        new Float32Array(C),
        new Float32Array(C),
        new Float32Array(randomArray(N * C, 15)),
        x,
        w,
        mean,
        rstd,
        N,
        C,
      );
      if (p === F32) continue;
      for (const v of [...out, ...dx]) expect(isBf16Value(v)).toBe(true);
      // The statistics stay f32: at least one is not a bf16 value.
      expect([...mean, ...rstd].some((v) => !isBf16Value(v))).toBe(true);
    }
  });
});
