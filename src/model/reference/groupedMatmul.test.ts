import { describe, expect, it } from 'vitest';
import { createDispatch, dispatchForward } from './dispatch';
import { checkGradient, dot, randomArray } from './gradCheck';
import { groupedMatmulBackward, groupedMatmulForward } from './groupedMatmul';
import { F64 } from './precision';

// 6 grouped rows over 4 experts; expert 2 is empty.
const [E, N, K] = [4, 3, 5];
const expertOfRow = [0, 0, 1, 3, 3, 3];
const offsets = new Int32Array([0, 2, 3, 3, 6]);
const R = expertOfRow.length;

describe('grouped per-expert matmul', () => {
  it("forward: each row uses only its expert's weight and bias (dense naive reference)", () => {
    const x = randomArray(R * K, 1);
    const w = randomArray(E * N * K, 2);
    const b = randomArray(E * N, 3);
    const out = new Float64Array(R * N);
    groupedMatmulForward(F64, out, x, w, b, offsets, E, N, K);
    for (let r = 0; r < R; r++) {
      const e = expertOfRow[r];
      for (let j = 0; j < N; j++) {
        let s = b[e * N + j];
        for (let i = 0; i < K; i++) s += x[r * K + i] * w[(e * N + j) * K + i];
        expect(out[r * N + j]).toBeCloseTo(s, 14);
      }
    }
  });

  it('backward: dX, per-expert dW and db by central differences; the empty expert gets 0', () => {
    const x = randomArray(R * K, 4);
    const w = randomArray(E * N * K, 5);
    const b = randomArray(E * N, 6);
    const dout = randomArray(R * N, 7);
    const out = new Float64Array(R * N);
    const dx = new Float64Array(R * K);
    const dw = new Float64Array(E * N * K).fill(9); // stale values must be overwritten
    const db = new Float64Array(E * N).fill(9);
    groupedMatmulBackward(F64, dx, dw, db, dout, x, w, offsets, E, N, K);
    const loss = () => (groupedMatmulForward(F64, out, x, w, b, offsets, E, N, K), dot(dout, out));
    for (const [v, g] of [
      [x, dx],
      [w, dw],
      [b, db],
    ] as const) {
      expect(checkGradient(loss, v, g, { samples: 100 }).maxRelError).toBeLessThan(1e-5);
    }
    expect(dw.subarray(2 * N * K, 3 * N * K).every((v) => v === 0)).toBe(true);
    expect(db.subarray(2 * N, 3 * N).every((v) => v === 0)).toBe(true);
  });

  it('works end to end with a dispatch where one expert takes every row', () => {
    const d = createDispatch(4, E, 1);
    dispatchForward(d, new Int32Array([1, 1, 1, 1]), 4, E, 1);
    const x = randomArray(4 * K, 8);
    const w = randomArray(E * N * K, 9);
    const out = new Float64Array(4 * N);
    groupedMatmulForward(F64, out, x, w, null, d.offsets, E, N, K);
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += x[3 * K + i] * w[(N + j) * K + i];
      expect(out[3 * N + j]).toBeCloseTo(s, 14);
    }
  });
});
