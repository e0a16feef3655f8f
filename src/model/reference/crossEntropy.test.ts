import { describe, expect, it } from 'vitest';
import { crossEntropyBackward, crossEntropyForward } from './crossEntropy';
import { checkGradient, randomArray, randomInts } from './gradCheck';
import { F32, F64 } from './precision';

const [N, V] = [6, 11];

function ce(logits: Float64Array, targets: Int32Array) {
  const losses = new Float64Array(N);
  const probs = new Float64Array(N * V);
  const loss = crossEntropyForward(F64, losses, probs, logits, targets, N, V);
  return { loss, losses, probs };
}

describe('softmax cross-entropy', () => {
  it('uniform logits give ln V (f64 and f32)', () => {
    const targets = randomInts(N, 1, V);
    expect(ce(new Float64Array(N * V).fill(0.25), targets).loss).toBeCloseTo(Math.log(V), 15);
    const l32 = crossEntropyForward(
      F32,
      new Float32Array(N),
      new Float32Array(N * V),
      new Float32Array(N * V),
      targets,
      N,
      V,
    );
    expect(Math.abs(l32 - Math.log(V))).toBeLessThan(1e-6);
  });

  it('matches -log softmax[target] averaged, and stays finite for a hugely wrong logit', () => {
    const logits = randomArray(N * V, 2, 4);
    const targets = randomInts(N, 3, V);
    const { loss } = ce(logits, targets);
    let ref = 0;
    for (let n = 0; n < N; n++) {
      let z = 0;
      for (let j = 0; j < V; j++) z += Math.exp(logits[n * V + j]);
      ref += -Math.log(Math.exp(logits[n * V + targets[n]]) / z);
    }
    expect(loss).toBeCloseTo(ref / N, 13);
    const wild = new Float32Array(N * V);
    wild[0 * V + ((targets[0] + 1) % V)] = 200; // target probability underflows in f32
    const l = crossEntropyForward(
      F32,
      new Float32Array(N),
      new Float32Array(N * V),
      wild,
      targets,
      N,
      V,
    );
    expect(l).toBeCloseTo(200 / N + ((N - 1) / N) * Math.log(V), 4);
  });

  it('backward by central differences, with an upstream scale (f64, rel < 1e-5)', () => {
    const logits = randomArray(N * V, 4, 3);
    const targets = randomInts(N, 5, V);
    const dloss = 8;
    const { probs } = ce(logits, targets);
    const dlogits = new Float64Array(N * V);
    crossEntropyBackward(F64, dlogits, probs, targets, dloss, N, V);
    const res = checkGradient(() => dloss * ce(logits, targets).loss, logits, dlogits);
    expect(res.maxRelError).toBeLessThan(1e-5);
  });

  it('rejects a target outside the vocabulary', () => {
    const targets = new Int32Array(N).fill(V);
    expect(() => ce(new Float64Array(N * V), targets)).toThrow(
      /target 11 at position 0 is outside the vocabulary 0..10/,
    );
  });
});
