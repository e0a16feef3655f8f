import { describe, expect, it } from 'vitest';
import { checkGradient, dot, isBf16Value, randomArray } from './gradCheck';
import { matmulBackward, matmulForward, type MatmulForm } from './matmul';
import { F32, F64, storagePolicy } from './precision';

const forms: MatmulForm[] = ['NN', 'NT', 'TN'];
const [M, N, K, batch] = [3, 5, 4, 2];

// Element access through explicit index functions per layout: A(i,k), B(k,j) of batch entry q.
function operands(form: MatmulForm, a: ArrayLike<number>, b: ArrayLike<number>, q: number) {
  return {
    A: (i: number, k: number) =>
      form === 'TN' ? a[q * M * K + k * M + i] : a[q * M * K + i * K + k],
    B: (k: number, j: number) =>
      form === 'NT' ? b[q * K * N + j * K + k] : b[q * K * N + k * N + j],
  };
}

// Naive reference in double precision, (batch,M,N).
function naive(
  form: MatmulForm,
  a: Float64Array,
  b: Float64Array,
  bias: Float64Array,
): Float64Array {
  const out = new Float64Array(batch * M * N);
  for (let q = 0; q < batch; q++) {
    const { A, B: Bm } = operands(form, a, b, q);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = bias[j];
        for (let k = 0; k < K; k++) s += A(i, k) * Bm(k, j);
        out[q * M * N + i * N + j] = s;
      }
    }
  }
  return out;
}

describe('matmul forward', () => {
  for (const form of forms) {
    it(`${form} batched with bias matches the naive triple loop (f64, 1e-14)`, () => {
      const a = randomArray(batch * M * K, 1);
      const b = randomArray(batch * K * N, 2);
      const bias = randomArray(N, 3);
      const out = new Float64Array(batch * M * N);
      matmulForward(F64, form, out, a, b, bias, M, N, K, batch);
      const ref = naive(form, a, b, bias);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(ref[i], 14);
    });
  }

  for (const form of forms) {
    it(`${form} F32 rounds every product and sum: equals the Math.fround chain, differs from f64`, () => {
      const f = Math.fround;
      const a = randomArray(batch * M * K, 4).map(f);
      const b = randomArray(batch * K * N, 5).map(f);
      const bias = randomArray(N, 6).map(f);
      const out32 = new Float32Array(batch * M * N);
      const out64 = new Float64Array(batch * M * N);
      matmulForward(F32, form, out32, a, b, bias, M, N, K, batch);
      matmulForward(F64, form, out64, a, b, bias, M, N, K, batch);
      let differs = 0;
      for (let q = 0; q < batch; q++) {
        const { A, B } = operands(form, a, b, q);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let acc = 0;
            for (let k = 0; k < K; k++) acc = f(acc + f(A(i, k) * B(k, j)));
            acc = f(acc + bias[j]);
            const o = q * M * N + i * N + j;
            expect(out32[o]).toBe(acc);
            if (out64[o] !== acc) differs++;
          }
        }
      }
      expect(differs).toBeGreaterThan(0);
    });
  }

  it('bf16 storage: outputs are bf16 values', () => {
    const p = storagePolicy('bf16');
    const a = randomArray(M * K, 7).map((x) => p.store(x));
    const b = randomArray(K * N, 8).map((x) => p.store(x));
    const out = new Float32Array(M * N);
    matmulForward(p, 'NN', out, new Float32Array(a), new Float32Array(b), null, M, N, K);
    for (const x of out) expect(isBf16Value(x)).toBe(true);
    const dA = new Float32Array(M * K);
    const dB = new Float32Array(K * N);
    const dbias = new Float32Array(N);
    matmulBackward(p, 'NN', dA, dB, dbias, out, new Float32Array(a), new Float32Array(b), M, N, K);
    for (const x of [...dA, ...dB, ...dbias]) expect(isBf16Value(x)).toBe(true);
  });
});

describe('matmul backward, central differences in f64 (rel < 1e-5)', () => {
  for (const form of forms) {
    it(`${form}: dA, dB, dbias`, () => {
      const a = randomArray(batch * M * K, 11);
      const b = randomArray(batch * K * N, 12);
      const bias = randomArray(N, 13);
      const w = randomArray(batch * M * N, 14);
      const out = new Float64Array(batch * M * N);
      const loss = () => {
        matmulForward(F64, form, out, a, b, bias, M, N, K, batch);
        return dot(w, out);
      };
      const da = new Float64Array(a.length);
      const db = new Float64Array(b.length);
      const dbias = new Float64Array(N);
      matmulBackward(F64, form, da, db, dbias, w, a, b, M, N, K, batch);
      for (const [x, g] of [
        [a, da],
        [b, db],
        [bias, dbias],
      ] as const) {
        expect(checkGradient(loss, x, g).maxRelError).toBeLessThan(1e-5);
      }
    });
  }
});
