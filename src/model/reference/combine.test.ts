import { describe, expect, it } from 'vitest';
import { combineBackward, combineForward } from './combine';
import { createDispatch, dispatchForward } from './dispatch';
import { checkGradient, dot, randomArray } from './gradCheck';
import { F64 } from './precision';

const [N, E, k, C] = [4, 3, 2, 5];

describe('weighted combine', () => {
  const d = createDispatch(N, E, k);
  dispatchForward(d, new Int32Array([2, 0, 1, 2, 0, 1, 2, 1]), N, E, k);

  it('forward: y[t] = sum over slots of gate * expert output', () => {
    const eo = randomArray(N * k * C, 1);
    const gates = randomArray(N * k, 2);
    const y = new Float64Array(N * C);
    combineForward(F64, y, eo, gates, d.rowOf, N, k, C);
    for (let t = 0; t < N; t++)
      for (let c = 0; c < C; c++) {
        const ref =
          gates[t * k] * eo[d.rowOf[t * k] * C + c] +
          gates[t * k + 1] * eo[d.rowOf[t * k + 1] * C + c];
        expect(y[t * C + c]).toBeCloseTo(ref, 15);
      }
  });

  it('backward to expert outputs and gates (f64, rel < 1e-5)', () => {
    const eo = randomArray(N * k * C, 3);
    const gates = randomArray(N * k, 4);
    const dy = randomArray(N * C, 5);
    const y = new Float64Array(N * C);
    const deo = new Float64Array(eo.length);
    const dg = new Float64Array(gates.length);
    combineBackward(F64, deo, dg, dy, eo, gates, d.rowOf, N, k, C);
    const loss = () => (combineForward(F64, y, eo, gates, d.rowOf, N, k, C), dot(dy, y));
    expect(checkGradient(loss, eo, deo).maxRelError).toBeLessThan(1e-5);
    expect(checkGradient(loss, gates, dg).maxRelError).toBeLessThan(1e-5);
  });
});
