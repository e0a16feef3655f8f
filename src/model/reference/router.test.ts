import { describe, expect, it } from 'vitest';
import { checkGradient, dot, randomArray } from './gradCheck';
import { F64 } from './precision';
import { routerBackward, routerForward } from './router';

const [N, E] = [6, 4];

function route(logits: Float64Array, k: number) {
  const probs = new Float64Array(N * E);
  const topIdx = new Int32Array(N * k);
  const gates = new Float64Array(N * k);
  routerForward(F64, probs, topIdx, gates, logits, N, E, k);
  return { probs, topIdx, gates };
}

describe('router: softmax, top-k, gates', () => {
  it('probabilities are the softmax; experts ranked by probability; k=1 gate is the raw probability', () => {
    const logits = randomArray(N * E, 1, 3);
    const { probs, topIdx, gates } = route(logits, 1);
    for (let n = 0; n < N; n++) {
      const row = Array.from(logits.subarray(n * E, (n + 1) * E));
      const z = row.reduce((s, x) => s + Math.exp(x), 0);
      for (let e = 0; e < E; e++) expect(probs[n * E + e]).toBeCloseTo(Math.exp(row[e]) / z, 15);
      const best = row.indexOf(Math.max(...row));
      expect(topIdx[n]).toBe(best);
      expect(gates[n]).toBe(probs[n * E + best]);
    }
  });

  it('k=2: the two largest in order, gates renormalised to sum 1', () => {
    const logits = randomArray(N * E, 2, 3);
    const { probs, topIdx, gates } = route(logits, 2);
    for (let n = 0; n < N; n++) {
      const order = [0, 1, 2, 3].sort((a, b) => logits[n * E + b] - logits[n * E + a]);
      expect([topIdx[2 * n], topIdx[2 * n + 1]]).toEqual(order.slice(0, 2));
      const s = probs[n * E + order[0]] + probs[n * E + order[1]];
      expect(gates[2 * n]).toBeCloseTo(probs[n * E + order[0]] / s, 15);
      expect(gates[2 * n] + gates[2 * n + 1]).toBeCloseTo(1, 15);
    }
  });

  it('ties go to the lower expert index', () => {
    const logits = new Float64Array(N * E);
    logits.set([0, 1, 1, 1], 0); // three-way tie for first
    logits.set([2, 0, 0, 2], E); // tie for first between 0 and 3
    logits.set([5, 1, 1, 0], 2 * E); // tie for second between 1 and 2
    const { topIdx } = route(logits, 2);
    expect(Array.from(topIdx.subarray(0, 6))).toEqual([1, 2, 0, 3, 0, 1]);
    // All equal: experts 0 and 1.
    expect(Array.from(topIdx.subarray(6, 8))).toEqual([0, 1]);
  });

  for (const k of [1, 2]) {
    it(`k=${k} backward: gates and direct prob gradients to logits (f64, rel < 1e-5)`, () => {
      const logits = randomArray(N * E, 3 + k, 2);
      const wGate = randomArray(N * k, 10);
      const wProb = randomArray(N * E, 11);
      const base = route(logits, k);
      const loss = () => {
        const r = route(logits, k);
        // Routing must not change under the perturbation (inputs are away from ties).
        expect(Array.from(r.topIdx)).toEqual(Array.from(base.topIdx));
        return dot(wGate, r.gates) + dot(wProb, r.probs);
      };
      const dlogits = new Float64Array(N * E);
      routerBackward(
        F64,
        dlogits,
        wProb.slice(),
        wGate,
        base.probs,
        base.topIdx,
        base.gates,
        N,
        E,
        k,
      );
      expect(checkGradient(loss, logits, dlogits).maxRelError).toBeLessThan(1e-5);
    });
  }
});
