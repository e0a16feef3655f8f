import { describe, expect, it } from 'vitest';
import { checkGradient, randomArray } from './gradCheck';
import { F64 } from './precision';
import {
  loadBalanceBackward,
  loadBalanceForward,
  zLossBackward,
  zLossForward,
} from './routerLosses';

const [N, E] = [6, 4];

function softmaxRows(logits: Float64Array): Float64Array {
  const probs = new Float64Array(N * E);
  for (let n = 0; n < N; n++) {
    let z = 0;
    for (let e = 0; e < E; e++) z += Math.exp(logits[n * E + e]);
    for (let e = 0; e < E; e++) probs[n * E + e] = Math.exp(logits[n * E + e]) / z;
  }
  return probs;
}

describe('Switch load-balancing loss', () => {
  it('is alpha * E * sum_i f_i P_i with f_i the fraction of the N*k assignments', () => {
    const probs = softmaxRows(randomArray(N * E, 1, 2));
    const counts = new Int32Array([5, 0, 4, 3]); // N*k = 12 with k = 2
    const alpha = 0.01;
    let ref = 0;
    for (let e = 0; e < E; e++) {
      let P = 0;
      for (let n = 0; n < N; n++) P += probs[n * E + e];
      ref += (counts[e] / 12) * (P / N);
    }
    expect(loadBalanceForward(F64, probs, counts, N, E, 2, alpha)).toBeCloseTo(alpha * E * ref, 15);
  });

  it('equals alpha under perfectly balanced routing', () => {
    const probs = new Float64Array(N * E).fill(1 / E);
    expect(loadBalanceForward(F64, probs, new Int32Array([6, 6, 6, 6]), N, E, 4, 0.5)).toBeCloseTo(
      0.5,
      15,
    );
  });

  it('backward to probs, counts constant (f64, rel < 1e-5)', () => {
    const probs = softmaxRows(randomArray(N * E, 2));
    const counts = new Int32Array([1, 2, 0, 3]);
    const prior = randomArray(N * E, 3);
    const dprobs = prior.slice();
    loadBalanceBackward(F64, dprobs, counts, N, E, 1, 0.3, 2);
    for (let i = 0; i < dprobs.length; i++) dprobs[i] -= prior[i]; // it adds into dprobs
    const res = checkGradient(
      () => 2 * loadBalanceForward(F64, probs, counts, N, E, 1, 0.3),
      probs,
      dprobs,
    );
    expect(res.maxRelError).toBeLessThan(1e-5);
  });
});

describe('router z-loss', () => {
  it('is beta * mean_t logsumexp(logits_t)^2', () => {
    const logits = randomArray(N * E, 4, 3);
    let ref = 0;
    for (let n = 0; n < N; n++) {
      let z = 0;
      for (let e = 0; e < E; e++) z += Math.exp(logits[n * E + e]);
      ref += Math.log(z) ** 2;
    }
    expect(zLossForward(F64, new Float64Array(N), logits, N, E, 0.001)).toBeCloseTo(
      (0.001 * ref) / N,
      15,
    );
  });

  it('backward adds to dlogits (f64, rel < 1e-5)', () => {
    const logits = randomArray(N * E, 5, 3);
    const lse = new Float64Array(N);
    zLossForward(F64, lse, logits, N, E, 0.1);
    const prior = randomArray(N * E, 6);
    const dlogits = prior.slice();
    zLossBackward(F64, dlogits, logits, lse, N, E, 0.1, 3);
    for (let i = 0; i < dlogits.length; i++) dlogits[i] -= prior[i];
    const res = checkGradient(
      () => 3 * zLossForward(F64, new Float64Array(N), logits, N, E, 0.1),
      logits,
      dlogits,
    );
    expect(res.maxRelError).toBeLessThan(1e-5);
  });
});
